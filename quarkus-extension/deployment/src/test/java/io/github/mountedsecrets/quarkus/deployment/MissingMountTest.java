package io.github.mountedsecrets.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.github.mountedsecrets.MountNotFoundException;
import io.quarkus.test.QuarkusExtensionTest;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A required mount that is missing fails startup with a message naming the path and the fix. */
class MissingMountTest {
  static final Path MISSING = TestMounts.absent("missing");

  @RegisterExtension
  static final QuarkusExtensionTest APP = new QuarkusExtensionTest()
      .withApplicationRoot(jar -> jar.addClasses(TestMounts.class))
      .withConfigurationResource("missing-mount.properties")
      .assertException(MissingMountTest::namesPathAndFix);

  static void namesPathAndFix(Throwable thrown) {
    // Compared by name: the exception comes from the application's class loader.
    Throwable cause = thrown;
    while (cause != null && !cause.getClass().getName().equals(MountNotFoundException.class.getName())) {
      cause = cause.getCause();
    }
    assertThat(cause).as("startup failure caused by MountNotFoundException: %s", thrown).isNotNull();
    assertThat(cause.getMessage())
        .startsWith("Secrets mount " + MISSING + " does not exist.")
        .contains("check volumeMounts and volumes in the pod spec")
        .contains("(set quarkus.mounted-secrets.directory to the mountPath)")
        .endsWith("set quarkus.mounted-secrets.require-mount to false.")
        .doesNotContain("builder");
  }

  @Test
  void startupFails() {
    fail("the application must not start");
  }
}
