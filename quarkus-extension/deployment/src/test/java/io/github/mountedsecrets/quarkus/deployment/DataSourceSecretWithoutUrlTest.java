package io.github.mountedsecrets.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.mountedsecrets.test.SecretsMount;
import io.quarkus.test.QuarkusExtensionTest;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code quarkus.mounted-secrets.datasource.secret} naming a secret without engine and host:
 * startup fails with a message that names the option, the key and the fields a URL needs, and
 * no value.
 */
class DataSourceSecretWithoutUrlTest {
  static final String PASSWORD = "canary-datasource-without-url-2f6a";
  static final SecretsMount MOUNT = TestMounts.open("datasource-secret-without-url",
      SecretsMount.Layout.ATOMIC_WRITER,
      Map.of("prod-db", "{\"username\":\"rds_blue\",\"password\":\"" + PASSWORD + "\"}"));

  @RegisterExtension
  static final QuarkusExtensionTest APP = new QuarkusExtensionTest()
      .withApplicationRoot(jar -> jar.addClasses(TestMounts.class))
      .withConfigurationResource("datasource-secret-without-url.properties")
      .assertException(DataSourceSecretWithoutUrlTest::namesTheOption);

  static void namesTheOption(Throwable thrown) {
    Throwable cause = thrown;
    while (cause != null && !String.valueOf(cause.getMessage()).startsWith("quarkus.mounted-secrets.datasource.secret")) {
      cause = cause.getCause();
    }
    assertThat(cause).as("the option's failure: %s", thrown).isNotNull();
    assertThat(cause.getMessage())
        .isEqualTo("quarkus.mounted-secrets.datasource.secret: the mount " + MOUNT.directory()
            + " has no JSON secret 'prod-db' with the fields a JDBC URL is built from: engine (postgres,"
            + " mysql, mariadb, oracle, sqlserver) and host, optionally port and dbname");
    assertThat(thrown).hasStackTraceContaining("quarkus.mounted-secrets.datasource.secret")
        .satisfies(t -> assertThat(stackTrace(t)).doesNotContain(PASSWORD));
  }

  private static String stackTrace(Throwable thrown) {
    java.io.StringWriter trace = new java.io.StringWriter();
    thrown.printStackTrace(new java.io.PrintWriter(trace));
    return trace.toString();
  }

  @Test
  void startupFails() {
    fail("the application must not start");
  }
}
