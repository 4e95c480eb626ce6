package io.github.mountedsecrets.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.test.Await;
import io.github.mountedsecrets.test.SecretsMount;
import io.quarkus.test.QuarkusExtensionTest;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code @ConfigProperty Provider<T>}, {@code Instance<T>} and {@code Supplier<T>} return the
 * rotated values of a mount written file by file (the AWS provider's layout: each file renamed
 * in turn, read as one change after the quiet period); {@link FrozenInjectionWarningTest} does
 * the same on the atomic writer's layout.
 */
class LiveInjectionFileByFileTest {
  static final SecretsMount MOUNT = TestMounts.open("live-injection-file-by-file", SecretsMount.Layout.FILE_BY_FILE,
      Map.of("DB_USER", "app_blue", "DB_PASSWORD", "pw-one", "prod-db", "{\"port\":5432}"));

  @RegisterExtension
  static final QuarkusExtensionTest APP = new QuarkusExtensionTest()
      .withApplicationRoot(jar -> jar.addClasses(TestMounts.class))
      .withConfigurationResource("live-injection-file-by-file.properties");

  @ConfigProperty(name = "DB_PASSWORD")
  Provider<String> password;

  @ConfigProperty(name = "DB_USER")
  Instance<String> user;

  @ConfigProperty(name = "prod-db.port")
  Supplier<Integer> port;

  @Inject
  MountedSecrets secrets;

  @Test
  void liveInjectionPointsReturnTheRotatedValues() {
    assertThat(secrets.snapshot().layout().name()).isEqualTo("FILE_BY_FILE");
    assertThat(password.get()).isEqualTo("pw-one");
    assertThat(user.get()).isEqualTo("app_blue");
    assertThat(port.get()).isEqualTo(5432);
    MOUNT.publish(Map.of("DB_USER", "app_green", "DB_PASSWORD", "pw-two", "prod-db", "{\"port\":5433}"));
    // The files are renamed one after the other (in Map.of order): a stall between two of them
    // longer than the quiet period is read, as documented, as two changes. Wait for every file.
    Await.until(Duration.ofSeconds(10), () -> secrets.get("DB_USER").equals("app_green")
            && secrets.get("DB_PASSWORD").equals("pw-two") && secrets.get("prod-db.port").equals("5433"),
        () -> "rotation seen by the mount");
    assertThat(password.get()).isEqualTo("pw-two");
    assertThat(user.get()).isEqualTo("app_green");
    assertThat(port.get()).isEqualTo(5433);
  }
}
