package io.github.mountedsecrets.rotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.mountedsecrets.DatabaseCredentials;
import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.test.EmbeddedDatabase;
import io.github.mountedsecrets.test.SecretsMount;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The one JDBC check, against a real PostgreSQL server. */
@Timeout(60)
class JdbcVerifierTest {
  private static EmbeddedDatabase database;

  @TempDir Path temp;

  @BeforeAll
  static void startDatabase() {
    database = EmbeddedDatabase.start();
    database.createUser("verify_app", "CANARY-verify-1");
  }

  @AfterAll
  static void stopDatabase() {
    if (database != null) {
      database.close();
    }
  }

  private DatabaseCredentials pair(String user, String password) {
    SecretsMount mount = SecretsMount.atomicWriter(temp.resolve("m"))
        .publish(Map.of("DB_USER", user, "DB_PASSWORD", password));
    try (MountedSecrets secrets = MountedSecrets.builder().directory(mount.directory()).build()) {
      return DatabaseCredentials.fromKeys(secrets.snapshot(), "DB_USER", "DB_PASSWORD");
    }
  }

  @Test
  void acceptsThePairTheDatabaseAcceptsAndRefusesOthersWithTheDriversSqlState() throws Exception {
    JdbcVerifier verifier = JdbcVerifier.of(database.jdbcUrl());
    verifier.verify(pair("verify_app", "CANARY-verify-1"));
    assertThatThrownBy(() -> verifier.verify(pair("verify_app", "CANARY-wrong")))
        .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("28P01"));
    assertThat(verifier).hasToString("JdbcVerifier[driver=DriverManager, timeout=PT10S]");
  }

  @Test
  void usesThePoolsPropertiesButNeverItsUserAndPassword() throws Exception {
    Properties pool = new Properties();
    pool.setProperty("user", "postgres_nobody");
    pool.setProperty("password", "stale");
    pool.setProperty("ApplicationName", "orders");
    JdbcVerifier verifier = JdbcVerifier.of(new org.postgresql.Driver(), database.jdbcUrl(), pool);
    pool.setProperty("ApplicationName", "changed after creation");
    verifier.verify(pair("verify_app", "CANARY-verify-1"));
    // An invalid property value proves the properties reach the driver.
    Properties broken = new Properties();
    broken.setProperty("sslmode", "no-such-mode");
    assertThatThrownBy(() -> JdbcVerifier.of(database.jdbcUrl(), broken)
        .verify(pair("verify_app", "CANARY-verify-1"))).isInstanceOf(SQLException.class);
  }

  @Test
  void aDriverThatDoesNotAcceptTheUrlIsNamedButNotTheUrl() {
    JdbcVerifier verifier = JdbcVerifier.of(new org.postgresql.Driver(),
        "jdbc:other://db.internal/orders?password=CANARY-url", new Properties());
    assertThatThrownBy(() -> verifier.verify(pair("verify_app", "CANARY-verify-1")))
        .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("08001"))
        .hasMessage("driver org.postgresql.Driver does not accept the URL");
  }

  @Test
  void aServerThatNeverAnswersFailsTheCheckWithinTheTimeout() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
      JdbcVerifier verifier = JdbcVerifier.of("jdbc:postgresql://127.0.0.1:" + silent.getLocalPort()
          + "/postgres").withTimeout(Duration.ofMillis(300));
      long started = System.nanoTime();
      assertThatThrownBy(() -> verifier.verify(pair("verify_app", "CANARY-verify-1")))
          .isInstanceOfSatisfying(SQLTimeoutException.class,
              e -> assertThat(e.getSQLState()).isEqualTo("HYT00"))
          .hasMessage("no answer within PT0.3S");
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    }
  }

  @Test
  void theTimeoutMustBePositive() {
    assertThatThrownBy(() -> JdbcVerifier.of("jdbc:postgresql://localhost/x").withTimeout(Duration.ZERO))
        .hasMessage("timeout must be positive, but was PT0S");
  }
}
