package io.github.mountedsecrets.spring;

import static io.github.mountedsecrets.spring.DataSourceRotationTest.credentials;
import static io.github.mountedsecrets.spring.DataSourceRotationTest.rotation;
import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.github.mountedsecrets.rotation.RotationState;
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
 * The mount changes before the database accepts the new password (one user whose password
 * rotates): the pool keeps the old credentials, health shows the rotation retrying, and the
 * pool switches once the database takes the new password. Four threads query all along; not
 * one query may fail.
 */
class MountBeforeDatabaseRotationTest {
  private static final int ROTATIONS = 5;
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  @ParameterizedTest
  @EnumSource(SecretsMount.Layout.class)
  void oldCredentialsServeUntilTheDatabaseAcceptsTheNewOnes(SecretsMount.Layout layout,
      @Mount SecretsMount parent) throws Exception {
    EmbeddedDatabase db = Databases.get();
    SecretsMount mount = SecretsMount.create(layout, parent.directory().resolveSibling("m-" + layout));
    String user = Databases.newUser("single");
    String password = UUID.randomUUID().toString();
    db.createUser(user, password);
    mount.publish(credentials(user, password));
    QueryLoad load;
    try (ConfigurableApplicationContext context = DataSourceRotationTest.run(mount.directory())) {
      HikariDataSource dataSource = context.getBean(HikariDataSource.class);
      load = QueryLoad.start(dataSource, 4);
      try {
        for (int i = 1; i <= ROTATIONS; i++) {
          String old = password;
          String next = UUID.randomUUID().toString();
          mount.publish(credentials(user, next));

          Await.until(TIMEOUT, () -> rotation(context).state() == RotationState.RETRYING
              && rotation(context).failedAttempts() >= 2, () -> "the new password refused twice");
          assertThat(dataSource.getCredentials().getPassword()).isEqualTo(old);
          assertThat(BootLine.health(context).rotation("dataSource"))
              .containsEntry("state", "RETRYING");
          long before = load.succeeded();
          Await.until(TIMEOUT, () -> load.succeeded() > before + 20, () -> "queries while retrying");

          db.setPassword(user, next);

          int rotation = i;
          Await.until(TIMEOUT, () -> rotation(context).state() == RotationState.IN_SYNC
              && rotation(context).switches() == rotation, () -> "switch " + rotation);
          assertThat(dataSource.getCredentials().getPassword()).isEqualTo(next);
          password = next;
        }
      } finally {
        load.close();
      }
    }
    assertThat(load.failures()).as(load.toString()).isEmpty();
    assertThat(load.succeededAs(user)).isGreaterThan(ROTATIONS * 20L);
  }
}
