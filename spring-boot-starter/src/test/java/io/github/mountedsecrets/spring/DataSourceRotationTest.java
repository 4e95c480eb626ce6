package io.github.mountedsecrets.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.util.Credentials;
import io.github.mountedsecrets.rotation.CredentialsRotation;
import io.github.mountedsecrets.rotation.RotationState;
import io.github.mountedsecrets.rotation.RotationStatus;
import io.github.mountedsecrets.spring.jdbc.DataSourceCredentialsRotations;
import io.github.mountedsecrets.test.Await;
import io.github.mountedsecrets.test.EmbeddedDatabase;
import io.github.mountedsecrets.test.Mount;
import io.github.mountedsecrets.test.SecretsMount;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * HikariCP data sources follow the mount's credentials once the database accepts them, on a
 * real PostgreSQL server that checks passwords.
 */
class DataSourceRotationTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(15);

  @Test
  void theAutoConfiguredPoolFollowsThePlaceholdersKeys(@Mount SecretsMount mount) throws Exception {
    EmbeddedDatabase db = Databases.get();
    String blue = Databases.newUser("blue");
    String green = Databases.newUser("green");
    db.createUser(blue, "pw-blue");
    mount.publish(credentials(blue, "pw-blue"));
    try (ConfigurableApplicationContext context = run(mount.directory())) {
      DataSource dataSource = context.getBean(DataSource.class);
      assertThat(currentUser(dataSource)).isEqualTo(blue);
      assertThat(rotation(context).state()).isEqualTo(RotationState.IN_SYNC);

      db.createUser(green, "pw-green");
      mount.publish(credentials(green, "pw-green"));

      Await.until(TIMEOUT, () -> rotation(context).switches() == 1, () -> "one switch");
      Await.until(TIMEOUT, () -> green.equals(currentUser(dataSource)), () -> "connections as green");
      assertThat(((HikariDataSource) dataSource).getCredentials().getUsername()).isEqualTo(green);
      Map<String, Object> health = BootLine.health(context).rotation("dataSource");
      assertThat(health).containsEntry("state", "IN_SYNC").containsEntry("switches", 1L)
          .containsKey("lastSwitchAt");
    }
  }

  @Test
  void explicitKeysOfAJsonSecretInTheFileByFileLayout(
      @Mount(SecretsMount.Layout.FILE_BY_FILE) SecretsMount mount) throws Exception {
    EmbeddedDatabase db = Databases.get();
    String blue = Databases.newUser("blue");
    String green = Databases.newUser("green");
    db.createUser(blue, "pw-blue");
    mount.publish(Map.of("prod-db", json(blue, "pw-blue")));
    try (ConfigurableApplicationContext context = run(mount.directory(),
        // Nested placeholders: the keys cannot be read from spring.datasource.*.
        "app.db.user=${prod-db.username}", "app.db.password=${prod-db.password}",
        "spring.datasource.username=${app.db.user}", "spring.datasource.password=${app.db.password}",
        "mounted-secrets.datasource.username-key=prod-db.username",
        "mounted-secrets.datasource.password-key=prod-db.password")) {
      DataSource dataSource = context.getBean(DataSource.class);
      assertThat(currentUser(dataSource)).isEqualTo(blue);

      db.createUser(green, "pw-green");
      mount.publish(Map.of("prod-db", json(green, "pw-green")));

      Await.until(TIMEOUT, () -> green.equals(currentUser(dataSource)), () -> "connections as green");
    }
  }

  @Test
  void refusedCredentialsAreRetriedWhileThePoolKeepsTheOldOnes(@Mount SecretsMount mount)
      throws Exception {
    EmbeddedDatabase db = Databases.get();
    String user = Databases.newUser("single");
    db.createUser(user, "pw-1");
    mount.publish(credentials(user, "pw-1"));
    try (ConfigurableApplicationContext context = run(mount.directory())) {
      HikariDataSource dataSource = context.getBean(HikariDataSource.class);
      assertThat(currentUser(dataSource)).isEqualTo(user);

      mount.publish(credentials(user, "pw-2"));

      Await.until(TIMEOUT, () -> rotation(context).state() == RotationState.RETRYING,
          () -> "the refused password to be retried");
      Await.until(TIMEOUT, () -> rotation(context).failedAttempts() >= 2, () -> "a retry");
      assertThat(dataSource.getCredentials().getPassword()).isEqualTo("pw-1");
      if (BootLine.hasCredentialsProvider()) {
        // HikariCP 7: each new connection asks the provider, which keeps the accepted pair.
        assertThat(providedPassword(dataSource)).isEqualTo("pw-1");
      }
      dataSource.getHikariPoolMXBean().softEvictConnections();
      assertThat(currentUser(dataSource)).isEqualTo(user);
      BootLine.HealthView health = BootLine.health(context);
      assertThat(health.status).isEqualTo("UP");
      assertThat(health.rotation("dataSource")).containsEntry("state", "RETRYING")
          .containsKeys("pendingRevision", "lastFailureAt");
      assertThat((String) health.rotation("dataSource").get("failureReason"))
          .contains("refused by the database").contains("SQLState 28P01");

      db.setPassword(user, "pw-2");

      Await.until(TIMEOUT, () -> rotation(context).state() == RotationState.IN_SYNC,
          () -> "the password to be accepted");
      assertThat(dataSource.getCredentials().getPassword()).isEqualTo("pw-2");
      if (BootLine.hasCredentialsProvider()) {
        assertThat(providedPassword(dataSource)).isEqualTo("pw-2");
      }
      assertThat(BootLine.health(context).rotation("dataSource")).doesNotContainKey("failureReason");
    }
  }

  @Test
  void aPoolThatDoesNotUseTheMountIsLeftAlone(@Mount SecretsMount mount) throws Exception {
    EmbeddedDatabase db = Databases.get();
    String blue = Databases.newUser("blue");
    db.createUser(blue, "pw-blue");
    mount.publish(credentials(blue, "pw-blue"));
    try (ConfigurableApplicationContext context = run(mount.directory(),
        "spring.datasource.username=postgres", "spring.datasource.password=",
        "mounted-secrets.datasource.username-key=DB_USER",
        "mounted-secrets.datasource.password-key=DB_PASSWORD")) {
      assertThat(currentUser(context.getBean(DataSource.class))).isEqualTo("postgres");
      assertThat(context.getBean(DataSourceCredentialsRotations.class).statuses()).isEmpty();
      assertThat(BootLine.health(context).details).doesNotContainKey("rotations");
    }
  }

  @Test
  void rotationCanBeSwitchedOff(@Mount SecretsMount mount) throws Exception {
    EmbeddedDatabase db = Databases.get();
    String blue = Databases.newUser("blue");
    db.createUser(blue, "pw-blue");
    mount.publish(credentials(blue, "pw-blue"));
    try (ConfigurableApplicationContext context = run(mount.directory(),
        "mounted-secrets.datasource.enabled=false")) {
      assertThat(currentUser(context.getBean(DataSource.class))).isEqualTo(blue);
      assertThat(context.getBeansOfType(DataSourceCredentialsRotations.class)).isEmpty();
    }
  }

  @Test
  void oneExplicitKeyWithoutTheOtherStopsStartup(@Mount SecretsMount mount) {
    EmbeddedDatabase db = Databases.get();
    String blue = Databases.newUser("blue");
    db.createUser(blue, "pw-blue");
    mount.publish(credentials(blue, "pw-blue"));
    assertThatThrownBy(() -> run(mount.directory(), "mounted-secrets.datasource.username-key=DB_USER"))
        .satisfies(e -> assertThat(MountedSecretsAutoConfigurationTest.cause(e,
            InvalidConfigurationPropertyValueException.class))
            .hasMessageContaining("mounted-secrets.datasource.password-key")
            .hasMessageContaining("only username-key is set"));
  }

  /** The password HikariCP 7's credentials provider of the pool hands a new connection. */
  static String providedPassword(HikariDataSource dataSource) throws ReflectiveOperationException {
    Object provider = HikariDataSource.class.getMethod("getCredentialsProvider").invoke(dataSource);
    assertThat(provider).as("the pool's HikariCredentialsProvider").isNotNull();
    Method getCredentials = Class.forName("com.zaxxer.hikari.HikariCredentialsProvider")
        .getMethod("getCredentials");
    return ((Credentials) getCredentials.invoke(provider)).getPassword();
  }

  static Map<String, String> credentials(String user, String password) {
    Map<String, String> files = new LinkedHashMap<>();
    files.put("DB_USER", user);
    files.put("DB_PASSWORD", password);
    return files;
  }

  static String json(String user, String password) {
    return "{\"username\":\"" + user + "\",\"password\":\"" + password + "\",\"engine\":\"postgres\"}";
  }

  static RotationStatus rotation(ConfigurableApplicationContext context) {
    return context.getBean(DataSourceCredentialsRotations.class).statuses().get("dataSource");
  }

  static String currentUser(DataSource dataSource) {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("select current_user")) {
      rs.next();
      return rs.getString(1);
    } catch (SQLException e) {
      throw new IllegalStateException("query failed: SQLState " + e.getSQLState(), e);
    }
  }

  /**
   * Runs the full application against the shared database, with the mount imported; later
   * properties replace earlier ones of the same name.
   */
  static ConfigurableApplicationContext run(Path mount, String... more) {
    Map<String, String> properties = new LinkedHashMap<>();
    List<String> all = new ArrayList<>(List.of(
        "spring.config.import=mounted-secrets:" + mount,
        "spring.datasource.url=" + Databases.get().jdbcUrl(),
        "spring.datasource.username=${DB_USER}",
        "spring.datasource.password=${DB_PASSWORD}",
        "spring.datasource.hikari.maximum-pool-size=4",
        "spring.datasource.hikari.connection-timeout=2000",
        "mounted-secrets.datasource.initial-backoff=100ms",
        "mounted-secrets.datasource.max-backoff=400ms"));
    all.addAll(Arrays.asList(more));
    for (String property : all) {
      int equals = property.indexOf('=');
      properties.put(property.substring(0, equals), property);
    }
    return Apps.run(Apps.Full.class, properties.values().toArray(new String[0]));
  }
}
