package io.github.mountedsecrets.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mountedsecrets.quarkus.MountedTlsConfigurations;
import io.github.mountedsecrets.test.CertificateAuthority;
import io.github.mountedsecrets.test.IssuedCertificate;
import io.github.mountedsecrets.test.SecretsMount;
import io.quarkus.builder.Version;
import io.quarkus.maven.dependency.Dependency;
import io.quarkus.test.QuarkusExtensionTest;
import io.quarkus.test.common.http.TestHTTPResource;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
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
 * With {@code quarkus.mounted-secrets.health.enabled=false} and
 * {@code quarkus.mounted-secrets.metrics.enabled=false}, SmallRye Health and Micrometer present,
 * the TLS configuration is still served but has no readiness check and no meters, like the
 * mount.
 */
class TlsSwitchedOffTest {
  static final String SCENARIO = "tls-switched-off";
  static final SecretsMount MOUNT = TestMounts.open(SCENARIO, SecretsMount.Layout.ATOMIC_WRITER,
      material());

  @RegisterExtension
  static final QuarkusExtensionTest APP = new QuarkusExtensionTest()
      .withApplicationRoot(jar -> jar.addClasses(TestMounts.class))
      .withConfigurationResource(SCENARIO + ".properties")
      .setForcedDependencies(List.of(
          Dependency.of("io.quarkus", "quarkus-smallrye-health-deployment", Version.getVersion()),
          Dependency.of("io.quarkus", "quarkus-micrometer-registry-prometheus-deployment",
              Version.getVersion())));

  @TestHTTPResource("/q/health/ready")
  URI readiness;

  @TestHTTPResource("/q/metrics")
  URI metrics;

  @Inject
  MountedTlsConfigurations configurations;

  private static Map<String, String> material() {
    if (System.getProperty(TestMounts.property(SCENARIO)) != null) {
      return Map.of();
    }
    IssuedCertificate web = CertificateAuthority.create("switched off CA").server("switched off");
    return Map.of("tls.crt", web.chainPem(), "tls.key", web.privateKeyPem());
  }

  @Test
  void noCheckAndNoMeters() {
    assertThat(configurations.statuses().get("web").subject()).isEqualTo("CN=switched off");
    String health = get(readiness);
    assertThat(health).contains("\"status\"").doesNotContain("mounted-secrets");
    String scrape = get(metrics);
    assertThat(scrape).contains("jvm_").doesNotContain("mounted_secrets");
  }

  private static String get(URI uri) {
    try {
      HttpResponse<String> response = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      return response.body();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
