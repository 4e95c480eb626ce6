package io.github.mountedsecrets.spring;

import static io.github.mountedsecrets.spring.DataSourceRotationTest.credentials;
import static io.github.mountedsecrets.spring.DataSourceRotationTest.rotation;
import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.github.mountedsecrets.test.Await;
import io.github.mountedsecrets.test.EmbeddedDatabase;
import io.github.mountedsecrets.test.Mount;
import io.github.mountedsecrets.test.SecretsMount;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The alternating-users strategy under load, against a real PostgreSQL: for each rotation a
 * new database user is created, its pair is written to the mount (in each layout), and once
 * the pool has moved over and no session of the previous user is left, the previous user is
 * dropped. Four threads query all along; not one query may fail.
 */
class AlternatingUsersRotationTest {
  private static final int ROTATIONS = 10;
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  @ParameterizedTest
  @EnumSource(SecretsMount.Layout.class)
  void noQueryFailsWhileUsersAlternate(SecretsMount.Layout layout, @Mount SecretsMount parent)
      throws Exception {
    EmbeddedDatabase db = Databases.get();
    SecretsMount mount = SecretsMount.create(layout, parent.directory().resolveSibling("m-" + layout));
    String user = Databases.newUser("alt");
    String password = UUID.randomUUID().toString();
    db.createUser(user, password);
    mount.publish(credentials(user, password));
    QueryLoad load;
    try (ConfigurableApplicationContext context = DataSourceRotationTest.run(mount.directory())) {
      HikariDataSource dataSource = context.getBean(HikariDataSource.class);
      load = QueryLoad.start(dataSource, 4);
      try {
        for (int i = 1; i <= ROTATIONS; i++) {
          String next = Databases.newUser("alt");
          String nextPassword = UUID.randomUUID().toString();
          db.createUser(next, nextPassword);
          mount.publish(credentials(next, nextPassword));

          int rotation = i;
          Await.until(TIMEOUT, () -> rotation(context).switches() == rotation
              && next.equals(dataSource.getCredentials().getUsername()), () -> "switch " + rotation);
          Await.until(TIMEOUT, () -> load.succeededAs(next) > 0, () -> "queries as " + next);
          String previous = user;
          Await.until(TIMEOUT, () -> db.sessions(previous) == 0, () -> "no session of " + previous);
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
}
