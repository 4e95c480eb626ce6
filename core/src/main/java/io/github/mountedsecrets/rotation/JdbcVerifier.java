package io.github.mountedsecrets.rotation;

import io.github.mountedsecrets.DatabaseCredentials;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The check of new credentials with one JDBC connection, opened as the pool opens its own:
 * with the pool's driver (or {@link DriverManager}), JDBC URL and connection properties, and
 * the new user and password in place of the pool's. The connection must also pass
 * {@link Connection#isValid(int)}; it is closed at once.
 *
 * <p>The whole check is bounded by a {@linkplain #withTimeout(Duration) timeout} (default
 * 10 s; adapters pass their pool's connection or login timeout): it runs on a short-lived
 * daemon thread ({@code mounted-secrets-verify}), and a check that does not answer in time
 * fails with SQLState {@code HYT00} while its thread finishes in the background and closes
 * whatever it opened. A driver that refuses the pair fails with the driver's own
 * {@link SQLException}, whose SQLState and vendor code (never its message) end up in
 * {@link RotationStatus#failureReason()}.
 *
 * <p>Immutable and thread-safe; the connection properties are copied when it is created.
 */
public final class JdbcVerifier implements CredentialsVerifier {
  /** The bound on one check unless {@link #withTimeout(Duration)} says otherwise: 10 s. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  private final Driver driver;
  private final String jdbcUrl;
  private final Properties properties;
  private final Duration timeout;

  private JdbcVerifier(Driver driver, String jdbcUrl, Properties properties, Duration timeout) {
    this.driver = driver;
    this.jdbcUrl = jdbcUrl;
    this.properties = properties;
    this.timeout = timeout;
  }

  /**
   * Returns a verifier that opens the connection through {@link DriverManager}.
   *
   * @param jdbcUrl the database's JDBC URL
   * @return the verifier
   */
  public static JdbcVerifier of(String jdbcUrl) {
    return of(jdbcUrl, new Properties());
  }

  /**
   * Returns a verifier that opens the connection through {@link DriverManager} with the
   * pool's connection properties.
   *
   * @param jdbcUrl the database's JDBC URL
   * @param connectionProperties properties passed to the driver (SSL mode and the like);
   *     copied, without any {@code user} or {@code password} entry
   * @return the verifier
   */
  public static JdbcVerifier of(String jdbcUrl, Properties connectionProperties) {
    return new JdbcVerifier(null, Objects.requireNonNull(jdbcUrl, "jdbcUrl must not be null"),
        copy(connectionProperties), DEFAULT_TIMEOUT);
  }

  /**
   * Returns a verifier that opens the connection with the given driver, for class loaders
   * where {@link DriverManager} cannot see it, and the pool's connection properties.
   *
   * @param driver the pool's JDBC driver
   * @param jdbcUrl the database's JDBC URL
   * @param connectionProperties properties passed to the driver (SSL mode and the like);
   *     copied, without any {@code user} or {@code password} entry
   * @return the verifier
   */
  public static JdbcVerifier of(Driver driver, String jdbcUrl, Properties connectionProperties) {
    return new JdbcVerifier(Objects.requireNonNull(driver, "driver must not be null"),
        Objects.requireNonNull(jdbcUrl, "jdbcUrl must not be null"), copy(connectionProperties),
        DEFAULT_TIMEOUT);
  }

  /**
   * Returns a verifier like this one whose check, opening and validation together, is bounded
   * by the given time, such as the pool's connection or login timeout.
   *
   * @param timeout a positive duration
   * @return the verifier
   */
  public JdbcVerifier withTimeout(Duration timeout) {
    return new JdbcVerifier(driver, jdbcUrl, properties, Backoff.positive("timeout", timeout));
  }

  /**
   * Returns the bound on one check.
   *
   * @return the timeout
   */
  public Duration timeout() {
    return timeout;
  }

  /**
   * Opens one connection with the credentials, checks it is valid and closes it.
   *
   * @param credentials the pair to check
   * @throws SQLException if the database refuses it, the driver does not accept the URL, the
   *     connection is not valid, or the check takes longer than the timeout
   */
  @Override
  public void verify(DatabaseCredentials credentials) throws SQLException {
    Properties connect = new Properties();
    connect.putAll(properties);
    connect.setProperty("user", credentials.username());
    connect.setProperty("password", credentials.password());
    CompletableFuture<Void> check = new CompletableFuture<>();
    Thread thread = new Thread(() -> {
      try {
        open(connect);
        check.complete(null);
      } catch (Throwable e) {
        check.completeExceptionally(e);
      }
    }, "mounted-secrets-verify");
    thread.setDaemon(true);
    thread.start();
    try {
      check.get(Backoff.nanos(timeout), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new SQLTimeoutException("no answer within " + timeout, "HYT00");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("interrupted while checking new credentials", "HY008");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof SQLException) {
        throw (SQLException) cause;
      }
      if (cause instanceof RuntimeException) {
        throw (RuntimeException) cause;
      }
      if (cause instanceof Error) {
        throw (Error) cause;
      }
      throw new SQLException("check of new credentials failed", "08000", cause);
    }
  }

  private void open(Properties connect) throws SQLException {
    try (Connection connection = driver == null
        ? DriverManager.getConnection(jdbcUrl, connect) : driver.connect(jdbcUrl, connect)) {
      if (connection == null) {
        throw new SQLException("driver " + driver.getClass().getName() + " does not accept the URL",
            "08001");
      }
      int seconds = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toSeconds()));
      if (!connection.isValid(seconds)) {
        throw new SQLException("connection opened with the new credentials is not valid", "08000");
      }
    }
  }

  private static Properties copy(Properties connectionProperties) {
    Properties copy = new Properties();
    copy.putAll(Objects.requireNonNull(connectionProperties, "connectionProperties must not be null"));
    copy.remove("user");
    copy.remove("password");
    return copy;
  }

  @Override
  public String toString() {
    return "JdbcVerifier[driver=" + (driver == null ? "DriverManager" : driver.getClass().getName())
        + ", timeout=" + timeout + "]";
  }
}
