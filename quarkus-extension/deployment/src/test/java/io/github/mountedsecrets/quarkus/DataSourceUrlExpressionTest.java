package io.github.mountedsecrets.quarkus;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.test.SecretsMount;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JDBC URL built from a JSON secret is served through SmallRye's expansion like every
 * mounted value: a database or host name holding '$' (legal in PostgreSQL and Oracle names)
 * comes back exactly, not with '$$' read as '$' or '${...}' looked up.
 */
class DataSourceUrlExpressionTest {
  @TempDir
  Path temp;

  @Test
  void theUrlComesBackExactlyThroughTheExpansion() {
    SecretsMount mount = SecretsMount.atomicWriter(temp.resolve("mount"));
    mount.publish(Map.of("prod-db", "{\"engine\":\"postgres\",\"host\":\"db.internal\","
        + "\"port\":5432,\"dbname\":\"app$$prod${x}\",\"username\":\"u\",\"password\":\"p\"}"));
    try (MountedSecrets secrets = MountedSecrets.builder().directory(mount.directory())
        .watch(false).pollInterval(Duration.ofHours(1)).build()) {
      SmallRyeConfig config = new SmallRyeConfigBuilder().addDefaultInterceptors()
          .withSources(new MountedDataSourceConfigSource(secrets, "prod-db")).build();
      assertThat(config.getValue(MountedDataSourceConfigSource.JDBC_URL, String.class))
          .isEqualTo("jdbc:postgresql://db.internal:5432/app$$prod${x}");
    }
  }
}
