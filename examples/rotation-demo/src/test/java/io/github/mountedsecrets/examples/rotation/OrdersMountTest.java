package io.github.mountedsecrets.examples.rotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.test.SecretsMount;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class OrdersMountTest {
  private static OrdersDatabase database;

  @BeforeAll
  static void startDatabase() {
    database = OrdersDatabase.start();
  }

  @AfterAll
  static void stopDatabase() {
    database.close();
  }

  @ParameterizedTest
  @EnumSource(SecretsMount.Layout.class)
  void writesTheFilesOfTheSecretProviderClassAndRotatesWithAlternatingUsers(SecretsMount.Layout layout,
      @TempDir Path dir) throws Exception {
    OrdersMount mount = OrdersMount.create(layout, dir.resolve("secrets-store"), database);
    try (MountedSecrets secrets = MountedSecrets.builder().directory(mount.directory()).build()) {
      assertThat(secrets.snapshot().layout().name()).isEqualTo(layout.name());
      assertThat(secrets.get("DB_USER")).isEqualTo("orders_app").isEqualTo(mount.currentUser());
      assertThat(secrets.get("prod-db.username")).isEqualTo("orders_app");
      assertThat(secrets.get("prod-db.password")).isEqualTo(secrets.get("DB_PASSWORD"));
      assertThat(secrets.get("prod-db.engine")).isEqualTo("postgres");
      assertThat(secrets.get("prod-db.host")).isEqualTo("localhost");
      assertThat(secrets.getInt("prod-db.port")).isEqualTo(database.port());
      assertThat(secrets.get("prod-db.dbname")).isEqualTo("orders");
      assertThat(secrets.get("API_KEY")).isEqualTo(mount.apiKey());
      assertThat(mount.rotations()).isZero();
      assertThat(mount.previousUser()).isNull();
    }
    String firstPassword = Files.readString(mount.directory().resolve("DB_PASSWORD"));
    assertThat(orderCount("orders_app", firstPassword)).isEqualTo(3);

    assertThat(mount.nextUser()).isEqualTo("orders_app_clone");
    OrdersMount.Rotation first = mount.rotate();
    assertThat(first.number()).isEqualTo(1);
    assertThat(first.user()).isEqualTo("orders_app_clone").isEqualTo(mount.currentUser());
    assertThat(mount.previousUser()).isEqualTo("orders_app");
    assertThat(first.toString()).doesNotContain(first.password());
    assertThat(Files.readString(mount.directory().resolve("DB_USER"))).isEqualTo("orders_app_clone");
    assertThat(Files.readString(mount.directory().resolve("DB_PASSWORD"))).isEqualTo(first.password());
    assertThat(orderCount("orders_app_clone", first.password())).isEqualTo(3);
    // The previous user keeps working until the following rotation gives it a new password.
    assertThat(orderCount("orders_app", firstPassword)).isEqualTo(3);

    OrdersMount.Rotation second = mount.rotate();
    assertThat(second.user()).isEqualTo("orders_app");
    assertThat(mount.rotations()).isEqualTo(2);
    assertThat(orderCount("orders_app", second.password())).isEqualTo(3);
    assertThatThrownBy(() -> orderCount("orders_app", firstPassword))
        .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("28P01"));
    assertThat(mount.apiKey()).isEqualTo(Files.readString(mount.directory().resolve("API_KEY")));
  }

  @ParameterizedTest
  @EnumSource(SecretsMount.Layout.class)
  void theUsersCanOnlyRead(SecretsMount.Layout layout, @TempDir Path dir) throws Exception {
    OrdersMount mount = OrdersMount.create(layout, dir.resolve("m"), database);
    String password = Files.readString(mount.directory().resolve("DB_PASSWORD"));
    try (Connection connection = DriverManager.getConnection(database.jdbcUrl(), "orders_app", password);
        Statement statement = connection.createStatement()) {
      assertThatThrownBy(() -> statement.execute("delete from orders"))
          .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"));
    }
  }

  private static int orderCount(String user, String password) throws SQLException {
    try (Connection connection = DriverManager.getConnection(database.jdbcUrl(), user, password);
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("select count(*) from orders")) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
