package io.github.mountedsecrets.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.quarkus.MountedSecretsMappings;
import io.github.mountedsecrets.quarkus.deployment.MappingRotation.DbConfig;
import io.github.mountedsecrets.quarkus.deployment.MappingRotation.ProdDbConfig;
import io.github.mountedsecrets.test.SecretsMount;
import io.quarkus.test.QuarkusExtensionTest;
import io.smallrye.config.SmallRyeConfig;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.Config;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * After a rotation of a mount written in the FILE_BY_FILE layout, {@link MountedSecretsMappings}
 * returns @ConfigMapping instances with the new values, injected mappings keep the startup
 * values, and no value is logged.
 */
class MappingsFileByFileTest {
  static final String[] CANARIES = {
      "canary-mappings-file-by-file-pw-one-93d0", "canary-mappings-file-by-file-rds-one-5c21",
      "canary-mappings-file-by-file-pw-two-c6f4", "canary-mappings-file-by-file-rds-two-17ab"};
  static final SecretsMount MOUNT = TestMounts.open("mappings-file-by-file", SecretsMount.Layout.FILE_BY_FILE,
      MappingRotation.before(CANARIES[0], CANARIES[1]));

  @RegisterExtension
  static final QuarkusExtensionTest APP = new QuarkusExtensionTest()
      .withApplicationRoot(jar -> jar.addClasses(TestMounts.class, LogText.class, MappingRotation.class,
          DbConfig.class, ProdDbConfig.class))
      .withConfigurationResource("mappings-file-by-file.properties")
      .setLogRecordPredicate(record -> true)
      .assertLogRecords(records -> assertThat(records)
          .isNotEmpty()
          .allSatisfy(record -> assertThat(LogText.of(record)).doesNotContain(CANARIES)));

  @Inject
  MountedSecretsMappings mappings;

  @Inject
  MountedSecrets secrets;

  @Inject
  DbConfig db;

  @Inject
  ProdDbConfig prodDb;

  @Inject
  Instance<DbConfig> dbLookup;

  @Inject
  Config config;

  @Test
  void reReadMappingsReturnTheNewValues() {
    assertThat(secrets.snapshot().layout().name()).isEqualTo("FILE_BY_FILE");
    MappingRotation.rotate(MOUNT, secrets, mappings, db, prodDb, dbLookup, config.unwrap(SmallRyeConfig.class),
        CANARIES);
  }
}
