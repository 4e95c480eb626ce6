package io.github.mountedsecrets.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.quarkus.MountedTlsConfigurations;
import io.github.mountedsecrets.test.SecretsMount;
import io.quarkus.arc.Arc;
import io.quarkus.test.QuarkusExtensionTest;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * TLS configurations set in an application without the Quarkus TLS registry (no
 * {@code quarkus-vertx-http}): the application starts, serves no TLS configuration, and logs
 * one warning that names the configurations and the extension to add.
 */
class TlsWithoutRegistryTest {
  static final String SCENARIO = "tls-without-registry";
  static final SecretsMount MOUNT = TestMounts.open(SCENARIO, SecretsMount.Layout.ATOMIC_WRITER,
      Map.of("DB_USER", "app_blue"));

  @RegisterExtension
  static final QuarkusExtensionTest APP = new QuarkusExtensionTest()
      .withApplicationRoot(jar -> jar.addClasses(TestMounts.class))
      .withConfigurationResource(SCENARIO + ".properties")
      .setLogRecordPredicate(record -> record.getLoggerName().startsWith("io.github.mountedsecrets"))
      .assertLogRecords(records -> assertThat(records)
          .filteredOn(record -> record.getLevel().intValue() >= Level.WARNING.intValue())
          .singleElement()
          .satisfies(record -> assertThat(String.format(record.getMessage(), record.getParameters()))
              .isEqualTo(MOUNT.directory()
              + ": quarkus.mounted-secrets.tls.\"admin\", quarkus.mounted-secrets.tls.\"web\" "
              + "are configured, but the application has no Quarkus TLS registry, so no server "
              + "or client can use them; add the quarkus-tls-registry extension "
              + "(quarkus-vertx-http brings it)")));

  @Inject
  MountedSecrets secrets;

  @Test
  void startsWithoutServingTheConfigurations() {
    assertThat(secrets.get("DB_USER")).isEqualTo("app_blue");
    assertThat(Arc.container().instance(MountedTlsConfigurations.class).isAvailable()).isFalse();
  }
}
