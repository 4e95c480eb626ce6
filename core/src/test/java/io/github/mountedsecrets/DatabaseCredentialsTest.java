package io.github.mountedsecrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.mountedsecrets.test.SecretsMount;
import io.github.mountedsecrets.test.SecretsMount.Layout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** Credentials from an RDS-shaped JSON secret and from two keys. */
@Timeout(60)
class DatabaseCredentialsTest {
  @TempDir Path temp;

  private SecretsMount mount;

  static String rds(String engine, String user, String password, Integer port) {
    return "{\"username\":\"" + user + "\",\"password\":\"" + password + "\",\"engine\":\"" + engine
        + "\",\"host\":\"prod-db.cluster-abc.us-east-1.rds.amazonaws.com\""
        + (port == null ? "" : ",\"port\":" + port)
        + ",\"dbname\":\"orders\",\"dbInstanceIdentifier\":\"prod-db-1\"}";
  }

  private MountedSecrets open(Layout layout, Map<String, ?> files) {
    mount = SecretsMount.create(layout, temp.resolve("mount")).publish(files);
    return MountedSecrets.builder().directory(mount.directory()).watch(false)
        .pollInterval(Duration.ofHours(1)).quietPeriod(Duration.ofMinutes(1)).build();
  }

  private MountedSecrets open(Map<String, ?> files) {
    return open(Layout.ATOMIC_WRITER, files);
  }

  @Test
  void readsEveryFieldOfAnRdsSecret() {
    try (MountedSecrets secrets = open(Map.of("prod-db", rds("postgres", "app", "pw-1", 5432)))) {
      DatabaseCredentials credentials = secrets.databaseCredentials("prod-db");
      assertThat(credentials.username()).isEqualTo("app");
      assertThat(credentials.password()).isEqualTo("pw-1");
      assertThat(credentials.passwordChars()).containsExactly("pw-1".toCharArray());
      assertThat(credentials.passwordChars()).isNotSameAs(credentials.passwordChars());
      assertThat(credentials.host()).contains("prod-db.cluster-abc.us-east-1.rds.amazonaws.com");
      assertThat(credentials.port()).hasValue(5432);
      assertThat(credentials.dbname()).contains("orders");
      assertThat(credentials.engine()).contains("postgres");
      assertThat(credentials.revision()).isEqualTo(secrets.snapshot().revision());
      assertThat(credentials.jdbcUrl())
          .contains("jdbc:postgresql://prod-db.cluster-abc.us-east-1.rds.amazonaws.com:5432/orders");
      assertThat(DatabaseCredentials.fromJsonSecret(secrets.snapshot(), "prod-db")).isEqualTo(credentials);
    }
  }

  @ParameterizedTest
  @CsvSource({
      "postgres,          5432, jdbc:postgresql://H:5432/orders",
      "aurora-postgresql, 5432, jdbc:postgresql://H:5432/orders",
      "mysql,             3306, jdbc:mysql://H:3306/orders",
      "mariadb,           3306, jdbc:mariadb://H:3306/orders",
      "oracle-ee,         1521, jdbc:oracle:thin:@//H:1521/orders",
      "sqlserver-ex,      1433, jdbc:sqlserver://H:1433;databaseName=orders",
      "postgres,          6543, jdbc:postgresql://H:6543/orders",
  })
  void jdbcUrlPerEngine(String engine, int port, String expected) {
    String host = "prod-db.cluster-abc.us-east-1.rds.amazonaws.com";
    try (MountedSecrets secrets = open(Map.of("prod-db", rds(engine, "app", "pw", port)))) {
      assertThat(secrets.databaseCredentials("prod-db").jdbcUrl()).contains(expected.replace("H", host));
    }
  }

  @ParameterizedTest
  @CsvSource({
      "postgres,     jdbc:postgresql://H:5432/orders",
      "mysql,        jdbc:mysql://H:3306/orders",
      "mariadb,      jdbc:mariadb://H:3306/orders",
      "oracle-se2,   jdbc:oracle:thin:@//H:1521/orders",
      "sqlserver-se, jdbc:sqlserver://H:1433;databaseName=orders",
  })
  void jdbcUrlUsesTheEngineDefaultPortWhenThereIsNone(String engine, String expected) {
    String host = "prod-db.cluster-abc.us-east-1.rds.amazonaws.com";
    try (MountedSecrets secrets = open(Map.of("prod-db", rds(engine, "app", "pw", null)))) {
      DatabaseCredentials credentials = secrets.databaseCredentials("prod-db");
      assertThat(credentials.port()).isEmpty();
      assertThat(credentials.jdbcUrl()).contains(expected.replace("H", host));
    }
  }

  @Test
  void noJdbcUrlWithoutHostOrForAnUnknownEngine() {
    Map<String, Object> files = new LinkedHashMap<>();
    files.put("no-host", "{\"username\":\"u\",\"password\":\"p\",\"engine\":\"postgres\"}");
    files.put("unknown", "{\"username\":\"u\",\"password\":\"p\",\"engine\":\"db2\",\"host\":\"h\"}");
    try (MountedSecrets secrets = open(files)) {
      assertThat(secrets.databaseCredentials("no-host").jdbcUrl()).isEmpty();
      assertThat(secrets.databaseCredentials("no-host").host()).isEmpty();
      assertThat(secrets.databaseCredentials("unknown").jdbcUrl()).isEmpty();
    }
  }

  @Test
  void twoKeyForm() {
    try (MountedSecrets secrets = open(Map.of("DB_USER", "app\n", "DB_PASSWORD", "pw-1"))) {
      DatabaseCredentials credentials = secrets.databaseCredentials("DB_USER", "DB_PASSWORD");
      assertThat(credentials.username()).isEqualTo("app");
      assertThat(credentials.password()).isEqualTo("pw-1");
      assertThat(credentials.host()).isEmpty();
      assertThat(credentials.port()).isEmpty();
      assertThat(credentials.dbname()).isEmpty();
      assertThat(credentials.engine()).isEmpty();
      assertThat(credentials.jdbcUrl()).isEmpty();
      assertThat(credentials.toString()).isEqualTo(
          "DatabaseCredentials[source=DB_USER+DB_PASSWORD, username=<masked>, password=<masked>, "
          + "revision=" + secrets.snapshot().revision() + "]");
    }
  }

  @Test
  void aMissingPasswordFieldNamesTheKey() {
    try (MountedSecrets secrets = open(Map.of("prod-db", "{\"username\":\"app\",\"host\":\"h\"}"))) {
      SecretNotFoundException e = assertThrows(SecretNotFoundException.class,
          () -> secrets.databaseCredentials("prod-db"));
      assertThat(e.key()).isEqualTo("prod-db.password");
      assertThat(e.getMessage()).startsWith("No secret 'prod-db.password' in " + mount.directory());
    }
  }

  @Test
  void aMissingUsernameFieldOrKeyNamesTheKey() {
    try (MountedSecrets secrets = open(Map.of("prod-db", "{\"password\":\"pw\"}", "DB_PASSWORD", "pw"))) {
      assertThat(assertThrows(SecretNotFoundException.class,
          () -> secrets.databaseCredentials("prod-db")).key()).isEqualTo("prod-db.username");
      assertThat(assertThrows(SecretNotFoundException.class,
          () -> secrets.databaseCredentials("DB_USER", "DB_PASSWORD")).key()).isEqualTo("DB_USER");
      assertThat(assertThrows(SecretNotFoundException.class,
          () -> secrets.databaseCredentials("nope")).key()).isEqualTo("nope.username");
    }
  }

  @Test
  void aPortThatIsNotANumberIsRefusedWithoutQuotingIt() {
    try (MountedSecrets secrets = open(Map.of("prod-db",
        "{\"username\":\"u\",\"password\":\"p\",\"port\":\"five-four-three-two\"}"))) {
      SecretFormatException e = assertThrows(SecretFormatException.class,
          () -> secrets.databaseCredentials("prod-db"));
      assertThat(e.key()).isEqualTo("prod-db.port");
      assertThat(e.getMessage()).contains("'prod-db.port'", "cannot be read as an int")
          .doesNotContain("five");
    }
  }

  @Test
  void toStringMasksUsernameAndPassword() {
    try (MountedSecrets secrets = open(Map.of("prod-db", rds("postgres", "app-user-7", "pw-secret-9", 5432)))) {
      DatabaseCredentials credentials = secrets.databaseCredentials("prod-db");
      assertThat(credentials.toString())
          .isEqualTo("DatabaseCredentials[source=prod-db, username=<masked>, password=<masked>, revision="
              + secrets.snapshot().revision() + "]")
          .doesNotContain("app-user-7", "pw-secret-9");
    }
  }

  @ParameterizedTest
  @EnumSource(Layout.class)
  void usernameAndPasswordComeFromOneSnapshot(Layout layout) {
    Map<String, Object> files = new LinkedHashMap<>();
    files.put("prod-db", rds("postgres", "user-a", "pw-a", 5432));
    files.put("DB_USER", "user-a");
    files.put("DB_PASSWORD", "pw-a");
    try (MountedSecrets secrets = open(layout, files)) {
      DatabaseCredentials jsonBefore = secrets.databaseCredentials("prod-db");
      DatabaseCredentials keysBefore = secrets.databaseCredentials("DB_USER", "DB_PASSWORD");
      // Cached for the revision: the same object again.
      assertThat(secrets.databaseCredentials("prod-db")).isSameAs(jsonBefore);

      Map<String, Object> rotated = new LinkedHashMap<>();
      rotated.put("prod-db", rds("postgres", "user-b", "pw-b", 5432));
      rotated.put("DB_USER", "user-b");
      rotated.put("DB_PASSWORD", "pw-b");
      mount.publish(rotated);
      secrets.reload();

      DatabaseCredentials json = secrets.databaseCredentials("prod-db");
      assertThat(json.username()).isEqualTo("user-b");
      assertThat(json.password()).isEqualTo("pw-b");
      assertThat(json.revision()).isEqualTo(secrets.snapshot().revision()).isGreaterThan(jsonBefore.revision());
      DatabaseCredentials keys = secrets.databaseCredentials("DB_USER", "DB_PASSWORD");
      assertThat(keys.username()).isEqualTo("user-b");
      assertThat(keys.password()).isEqualTo("pw-b");
      // Old credentials stay as they were read.
      assertThat(jsonBefore.username()).isEqualTo("user-a");
      assertThat(jsonBefore.password()).isEqualTo("pw-a");
      assertThat(keysBefore.password()).isEqualTo("pw-a");
      assertThat(json).isNotEqualTo(jsonBefore);
    }
  }

  @Test
  void credentialsOfAnOldSnapshotAreThatSnapshotsPair() {
    try (MountedSecrets secrets = open(Map.of("DB_USER", "user-a", "DB_PASSWORD", "pw-a"))) {
      SecretsSnapshot before = secrets.snapshot();
      mount.publish(Map.of("DB_USER", "user-b", "DB_PASSWORD", "pw-b"));
      secrets.reload();
      DatabaseCredentials old = DatabaseCredentials.fromKeys(before, "DB_USER", "DB_PASSWORD");
      assertThat(old.username()).isEqualTo("user-a");
      assertThat(old.password()).isEqualTo("pw-a");
      assertThat(old.revision()).isEqualTo(before.revision());
    }
  }

  @Test
  void dbnameFallsBackToDatabase() {
    try (MountedSecrets secrets = open(Map.of("prod-db",
        "{\"username\":\"u\",\"password\":\"p\",\"engine\":\"mysql\",\"host\":\"h\",\"database\":\"shop\"}"))) {
      DatabaseCredentials credentials = secrets.databaseCredentials("prod-db");
      assertThat(credentials.dbname()).contains("shop");
      assertThat(credentials.jdbcUrl()).contains("jdbc:mysql://h:3306/shop");
    }
  }
}
