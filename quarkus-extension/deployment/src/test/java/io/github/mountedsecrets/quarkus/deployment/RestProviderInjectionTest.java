package io.github.mountedsecrets.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.test.Await;
import io.github.mountedsecrets.test.SecretsMount;
import io.quarkus.builder.Version;
import io.quarkus.maven.dependency.Dependency;
import io.quarkus.test.QuarkusExtensionTest;
import io.quarkus.test.common.http.TestHTTPResource;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code @Inject MountedSecrets} works in a Quarkus REST {@code @Provider}, which Quarkus REST
 * creates during static init, before the run-time configuration (and so the mount) exists:
 * the bean is application scoped, so the filter gets a client proxy that finds the instance
 * at its first call, and follows rotations.
 */
class RestProviderInjectionTest {
  static final String KEY_ONE = "canary-rest-provider-key-one-7a41";
  static final String KEY_TWO = "canary-rest-provider-key-two-c93e";
  static final SecretsMount MOUNT = TestMounts.open("rest-provider", SecretsMount.Layout.ATOMIC_WRITER,
      Map.of("API_KEY", KEY_ONE));

  @RegisterExtension
  static final QuarkusExtensionTest APP = new QuarkusExtensionTest()
      .withApplicationRoot(jar -> jar.addClasses(TestMounts.class, LogText.class, ApiKeyFilter.class,
          GreetingResource.class))
      .withConfigurationResource("rest-provider.properties")
      // Quarkus REST for this test only: the other tests run without an HTTP server.
      .setForcedDependencies(List.of(
          Dependency.of("io.quarkus", "quarkus-rest-deployment", Version.getVersion())))
      .setLogRecordPredicate(record -> true)
      .assertLogRecords(records -> assertThat(records)
          .allSatisfy(record -> assertThat(LogText.of(record))
              .doesNotContain(KEY_ONE).doesNotContain(KEY_TWO)));

  @TestHTTPResource("/greeting")
  URI greeting;

  @Inject
  MountedSecrets secrets;

  @Test
  void filterWithInjectedMountedSecretsFollowsTheMount() throws Exception {
    assertThat(status(null)).isEqualTo(401);
    assertThat(status("wrong")).isEqualTo(401);
    assertThat(status(KEY_ONE)).isEqualTo(200);

    MOUNT.publish(Map.of("API_KEY", KEY_TWO));
    Await.until(Duration.ofSeconds(10), () -> status(KEY_TWO) == 200, () -> "rotated key accepted");
    assertThat(status(KEY_ONE)).isEqualTo(401);
    assertThat(secrets.directory()).isEqualTo(MOUNT.directory().toAbsolutePath().normalize());
  }

  private int status(String key) {
    HttpRequest.Builder request = HttpRequest.newBuilder(greeting).timeout(Duration.ofSeconds(10));
    if (key != null) {
      request.header("X-Api-Key", key);
    }
    try {
      return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
