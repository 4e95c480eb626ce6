package io.github.mountedsecrets.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.test.Await;
import io.github.mountedsecrets.test.SecretsMount;
import io.quarkus.runtime.Startup;
import io.quarkus.test.QuarkusExtensionTest;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A start that fails after the mount was opened (a bean of the application throws) still
 * closes the mount, as a dev-mode restart after a failed start relies on: no watcher thread
 * is left behind.
 */
class FailedStartTest {
  static final SecretsMount MOUNT = TestMounts.open("failed-start", SecretsMount.Layout.ATOMIC_WRITER,
      Map.of("DB_USER", "app_blue", "DB_PASSWORD", "pw-one"));

  /** Fails the start after the configuration, and so the mount, was opened. */
  @Startup
  @Singleton
  public static class FailingBean {
    FailingBean(MountedSecrets secrets) {
      throw new IllegalStateException("startup failure on purpose, mount revision "
          + secrets.snapshot().revision());
    }
  }

  @RegisterExtension
  static final QuarkusExtensionTest APP = new QuarkusExtensionTest()
      .withApplicationRoot(jar -> jar.addClasses(TestMounts.class, FailingBean.class))
      .withConfigurationResource("failed-start.properties")
      .assertException(FailedStartTest::closedTheMount);

  static void closedTheMount(Throwable thrown) {
    Throwable cause = thrown;
    while (cause != null && !String.valueOf(cause.getMessage()).startsWith("startup failure on purpose")) {
      cause = cause.getCause();
    }
    assertThat(cause).as("the bean's failure: %s", thrown).isNotNull();
    assertThat(cause.getMessage()).as("the mount was open when the bean failed")
        .isEqualTo("startup failure on purpose, mount revision 1");
    Await.until(Duration.ofSeconds(5), () -> TestMounts.watchers(MOUNT.directory()) == 0,
        () -> "the watcher of " + MOUNT.directory() + " stopped");
  }

  @Test
  void startupFails() {
    fail("the application must not start");
  }
}
