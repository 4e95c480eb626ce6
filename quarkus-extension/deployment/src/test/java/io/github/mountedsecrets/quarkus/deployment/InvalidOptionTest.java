package io.github.mountedsecrets.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.github.mountedsecrets.test.SecretsMount;
import io.quarkus.test.QuarkusExtensionTest;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** An invalid option fails startup with core's message, which names the option and the value. */
class InvalidOptionTest {
  static final SecretsMount MOUNT = TestMounts.open("invalid-option",
      SecretsMount.Layout.ATOMIC_WRITER, Map.of("DB_PASSWORD", "pw-one"));

  @RegisterExtension
  static final QuarkusExtensionTest APP = new QuarkusExtensionTest()
      .withApplicationRoot(jar -> jar.addClasses(TestMounts.class))
      .withConfigurationResource("invalid-option.properties")
      .assertException(InvalidOptionTest::namesOptionAndValue);

  static void namesOptionAndValue(Throwable thrown) {
    Throwable cause = thrown;
    while (cause != null && !String.valueOf(cause.getMessage()).startsWith("quarkus.mounted-secrets.")) {
      cause = cause.getCause();
    }
    assertThat(cause).as("startup failure naming the option: %s", thrown).isNotNull();
    assertThat(cause.getMessage())
        .isEqualTo("quarkus.mounted-secrets.poll-interval must be positive, but was PT0S");
  }

  @Test
  void startupFails() {
    fail("the application must not start");
  }
}
