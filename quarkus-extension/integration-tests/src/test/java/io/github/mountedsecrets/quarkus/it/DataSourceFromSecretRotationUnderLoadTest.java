package io.github.mountedsecrets.quarkus.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mountedsecrets.test.Await;
import io.github.mountedsecrets.test.EmbeddedDatabase;
import io.github.mountedsecrets.test.SecretsMount;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.SmallRyeConfig;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * The default datasource from one RDS-style JSON secret alone
 * ({@code quarkus.mounted-secrets.datasource.secret=prod-db}, no JDBC URL anywhere): the
 * application connects to a real, password-checking PostgreSQL and serves queries from several
 * threads while the secret rotates with the alternating-users strategy, in the AWS provider's
 * file-by-file layout. No query may fail and no password may be printed.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresJsonSecretMountResource.class, restrictToAnnotatedClass = true)
class DataSourceFromSecretRotationUnderLoadTest {
  static final int ROTATIONS = 6;
  static final int THREADS = 4;
  static final Duration TIMEOUT = Duration.ofSeconds(20);

  @Inject
  QueryService queries;

  @Test
  void connectsWithTheSecretsUrlAndFollowsAlternatingUsersWithoutAFailedQuery() throws Exception {
    SmallRyeConfig config = ConfigProvider.getConfig().unwrap(SmallRyeConfig.class);
    ConfigValue url = config.getConfigValue("quarkus.datasource.jdbc.url");
    assertThat(url.getValue()).isEqualTo(PostgresJsonSecretMountResource.database.jdbcUrl());
    assertThat(url.getSourceName()).startsWith("MountedDataSourceConfigSource[mount=")
        .endsWith("secret=prod-db]");

    EmbeddedDatabase database = PostgresJsonSecretMountResource.database;
    SecretsMount mount = PostgresJsonSecretMountResource.mount;
    try (Load load = Load.start(queries, THREADS)) {
      String old = Await.until(TIMEOUT, load::lastUser, user -> !user.isEmpty(), "first query");
      assertThat(old).isEqualTo("rds_r0");
      for (int i = 1; i <= ROTATIONS; i++) {
        String next = "rds_r" + i;
        String password = Canaries.next();
        database.createUser(next, password);
        mount.publish(Map.of(PostgresJsonSecretMountResource.SECRET,
            PostgresJsonSecretMountResource.secret(next, password)));
        Await.until(TIMEOUT, load::lastUser, next::equals, "queries served as " + next);
        String retired = old;
        Await.until(TIMEOUT, () -> database.sessions(retired) == 0,
            () -> "sessions of " + retired + " closed after the graceful flush");
        database.dropUser(retired);
        old = next;
      }
      assertThat(load.failures()).as("failed queries").isEmpty();
      assertThat(load.succeeded()).isGreaterThan(ROTATIONS * 10L);
    }
    String log = Files.readString(Path.of("target/quarkus-app.log"));
    assertThat(log).contains("switched to the credentials of revision").doesNotContain(Canaries.PREFIX);
  }
}
