package io.github.mountedsecrets.quarkus.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.config.SmallRyeConfig;
import jakarta.inject.Inject;
import java.util.Map;
import org.eclipse.microprofile.config.Config;
import org.junit.jupiter.api.Test;

/**
 * The rotation benchmark's baseline: the same application and workload, with the datasource's
 * username and password read from the same mount through SmallRye's FileSystemConfigSource,
 * the way a plain Quarkus application does it.
 */
@QuarkusTest
@TestProfile(FileSystemConfigSourceRotationBenchmark.Plain.class)
@QuarkusTestResource(value = PostgresMountResource.class, restrictToAnnotatedClass = true)
class FileSystemConfigSourceRotationBenchmark {
  /**
   * No credentials provider; the mounted-secrets config source sinks below the
   * FileSystemConfigSource (ordinal 100), so DB_USER and DB_PASSWORD come from the latter.
   */
  public static class Plain implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "quarkus.datasource.credentials-provider", "",
          "quarkus.mounted-secrets.ordinal", "1",
          "quarkus.datasource.username", "${DB_USER}",
          "quarkus.datasource.password", "${DB_PASSWORD}");
    }
  }

  @Inject
  QueryService queries;

  @Inject
  Config config;

  @Test
  void rotateUnderLoad() {
    assertThat(config.unwrap(SmallRyeConfig.class).getConfigValue("DB_PASSWORD").getSourceName())
        .contains("FileSystemConfigSource");
    assertThat(RotationScenario.run("plain Quarkus + FileSystemConfigSource", queries)).isNotEmpty();
  }
}
