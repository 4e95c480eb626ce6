package io.github.mountedsecrets.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.github.mountedsecrets.test.SecretsMount;
import io.quarkus.test.QuarkusExtensionTest;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code quarkus.mounted-secrets.max-entries} reaches core: a mount holding more entries fails
 * startup with core's reason, which names the limit and the fix.
 */
class ReadLimitsTest {
  static final SecretsMount MOUNT = TestMounts.open("read-limits",
      SecretsMount.Layout.ATOMIC_WRITER, Map.of("DB_USER", "app", "DB_PASSWORD", "pw", "EXTRA", "x"));

  @RegisterExtension
  static final QuarkusExtensionTest APP = new QuarkusExtensionTest()
      .withApplicationRoot(jar -> jar.addClasses(TestMounts.class))
      .withConfigurationResource("read-limits.properties")
      .assertException(ReadLimitsTest::namesTheLimit);

  static void namesTheLimit(Throwable thrown) {
    Throwable cause = thrown;
    while (cause != null && !String.valueOf(cause.getMessage()).startsWith("Secrets mount ")) {
      cause = cause.getCause();
    }
    assertThat(cause).as("startup failure naming the limit: %s", thrown).isNotNull();
    assertThat(cause.getMessage()).isEqualTo("Secrets mount " + MOUNT.directory()
        + " could not be read at startup: the mount holds more than maxEntries=2 entries (files,"
        + " directories and links) and was not read. Point the directory at the secrets mount"
        + " itself, or raise maxEntries");
  }

  @Test
  void startupFails() {
    fail("the application must not start");
  }
}
