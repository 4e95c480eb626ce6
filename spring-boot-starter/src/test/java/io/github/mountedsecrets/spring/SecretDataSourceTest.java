package io.github.mountedsecrets.spring;

import static io.github.mountedsecrets.spring.DataSourceRotationTest.rotation;
import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.github.mountedsecrets.test.Await;
import io.github.mountedsecrets.test.EmbeddedDatabase;
import io.github.mountedsecrets.test.Mount;
import io.github.mountedsecrets.test.SecretsMount;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.EnumerablePropertySource;

/**
 * A data source from the RDS-style JSON secret alone: only {@code spring.config.import} and
 * {@code mounted-secrets.datasource.secret}, no {@code spring.datasource.*} property at all.
 * The pool connects to the real PostgreSQL with the URL built from the secret's engine, host,
 * port and dbname, and follows alternating-user rotations under load (each layout) without one
 * failed query.
 */
class SecretDataSourceTest {
  private static final int ROTATIONS = 5;
  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  /** HikariCP's default connection timeout (30 s) bounds the last follow-up eviction. */
  private static final Duration SESSIONS_TIMEOUT = Duration.ofSeconds(45);

  @ParameterizedTest
  @EnumSource(SecretsMount.Layout.class)
  void aPoolFromTheSecretAloneFollowsAlternatingUsers(SecretsMount.Layout layout,
      @Mount SecretsMount parent) throws Exception {
    EmbeddedDatabase db = Databases.get();
    SecretsMount mount = SecretsMount.create(layout, parent.directory().resolveSibling("s-" + layout));
    String user = Databases.newUser("secret");
    String password = UUID.randomUUID().toString();
    db.createUser(user, password);
    mount.publish(Map.of("prod-db", secret(db, user, password)));
    QueryLoad load;
    try (ConfigurableApplicationContext context = Apps.run(Apps.Full.class,
        "spring.config.import=mounted-secrets:",
        "mounted-secrets.directory=" + mount.directory(),
        "mounted-secrets.datasource.secret=prod-db")) {
      assertThat(context.getEnvironment().getPropertySources().stream()
          .filter(EnumerablePropertySource.class::isInstance)
          .flatMap(source -> Arrays.stream(((EnumerablePropertySource<?>) source).getPropertyNames()))
          .filter(name -> name.startsWith("spring.datasource"))).isEmpty();
      HikariDataSource dataSource = context.getBean(HikariDataSource.class);
      assertThat(dataSource.getJdbcUrl()).isEqualTo(db.jdbcUrl());
      assertThat(DataSourceRotationTest.currentUser(dataSource)).isEqualTo(user);
      assertThat(context.getBean("mountedSecretsJdbcConnectionDetails"))
          .hasToString("MountedSecretsJdbcConnectionDetails[secret=prod-db]");
      load = QueryLoad.start(dataSource, 4);
      try {
        for (int i = 1; i <= ROTATIONS; i++) {
          String next = Databases.newUser("secret");
          String nextPassword = UUID.randomUUID().toString();
          db.createUser(next, nextPassword);
          mount.publish(Map.of("prod-db", secret(db, next, nextPassword)));

          int rotation = i;
          Await.until(TIMEOUT, () -> rotation(context).switches() == rotation
              && next.equals(dataSource.getCredentials().getUsername()), () -> "switch " + rotation);
          Await.until(TIMEOUT, () -> load.succeededAs(next) > 0, () -> "queries as " + next);
          String previous = user;
          Await.until(SESSIONS_TIMEOUT, () -> db.sessions(previous) == 0, () -> "no session of " + previous);
          db.dropUser(previous);
          user = next;
        }
        long before = load.succeeded();
        Await.until(TIMEOUT, () -> load.succeeded() > before + 100, () -> "queries after the last rotation");
      } finally {
        load.close();
      }
      assertThat(rotation(context).switches()).isEqualTo(ROTATIONS);
    }
    assertThat(load.failures()).as(load.toString()).isEmpty();
    assertThat(load.succeeded()).isGreaterThan(ROTATIONS * 10L);
  }

  static String secret(EmbeddedDatabase db, String user, String password) {
    return "{\"engine\":\"postgres\",\"host\":\"localhost\",\"port\":" + db.port()
        + ",\"dbname\":\"postgres\",\"username\":\"" + user + "\",\"password\":\"" + password + "\"}";
  }
}
