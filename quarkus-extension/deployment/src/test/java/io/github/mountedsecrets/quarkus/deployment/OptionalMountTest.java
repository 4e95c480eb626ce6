package io.github.mountedsecrets.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mountedsecrets.MountState;
import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.test.Await;
import io.github.mountedsecrets.test.SecretsMount;
import io.quarkus.test.QuarkusExtensionTest;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.eclipse.microprofile.config.Config;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * With {@code require-mount=false} the application starts without the mount and the config
 * source serves its keys once it appears.
 */
class OptionalMountTest {
  static final Path LATER = TestMounts.absent("optional-mount");

  @RegisterExtension
  static final QuarkusExtensionTest APP = new QuarkusExtensionTest()
      .withApplicationRoot(jar -> jar.addClasses(TestMounts.class))
      .withConfigurationResource("optional-mount.properties");

  @Inject
  MountedSecrets secrets;

  @Inject
  Config config;

  @Test
  void startsEmptyAndPicksTheMountUp() {
    assertThat(secrets.status().state()).isEqualTo(MountState.MISSING);
    assertThat(config.getOptionalValue("DB_PASSWORD", String.class)).isEmpty();

    SecretsMount.atomicWriter(LATER).publish(Map.of("DB_PASSWORD", "pw-late"));

    Await.until(Duration.ofSeconds(10),
        () -> config.getOptionalValue("DB_PASSWORD", String.class).isPresent(),
        () -> "mount picked up after startup");
    assertThat(config.getValue("DB_PASSWORD", String.class)).isEqualTo("pw-late");
    assertThat(secrets.status().state()).isEqualTo(MountState.READY);
  }
}
