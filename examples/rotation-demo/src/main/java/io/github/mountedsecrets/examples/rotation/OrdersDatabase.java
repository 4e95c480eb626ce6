package io.github.mountedsecrets.examples.rotation;

import io.github.mountedsecrets.test.EmbeddedDatabase;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;

/**
 * The database behind the example services: an embedded PostgreSQL 17 that checks passwords,
 * with a database {@code orders} holding a table {@code orders(id, item, quantity)} and the
 * login role {@code orders_app}, allowed to read it.
 *
 * <p>The second role of the alternating-users strategy is made the way AWS's multi-user
 * rotation function for PostgreSQL makes it: named after the first with {@code _clone}
 * appended, created at the first rotation that switches to it, as a member of the first
 * (so it has the same privileges). The role starts with a random password that nobody knows;
 * {@link OrdersMount} sets a fresh one on a role (creating the clone the first time) just
 * before it publishes that role's credentials, as the rotation function does before the
 * secret's new version becomes current.
 */
public final class OrdersDatabase implements AutoCloseable {
  /** The database the services use. */
  public static final String DBNAME = "orders";
  /** The role the secret starts with. */
  public static final String USER = "orders_app";
  /** The role the rotation function alternates with: {@link #USER} with {@code _clone} appended. */
  public static final String CLONE = USER + "_clone";

  private static final SecureRandom RANDOM = new SecureRandom();

  private final EmbeddedDatabase database;
  private boolean cloneCreated;

  private OrdersDatabase(EmbeddedDatabase database) {
    this.database = database;
  }

  /**
   * Starts the server and creates the database, its table and the first role.
   *
   * @return the running database; close it to stop the server
   */
  public static OrdersDatabase start() {
    EmbeddedDatabase database = EmbeddedDatabase.start();
    OrdersDatabase orders = new OrdersDatabase(database);
    try {
      database.createUser(USER, newPassword());
      database.execute("create database " + DBNAME);
      orders.executeInOrders("create table orders (id integer primary key, item text not null,"
          + " quantity integer not null);"
          + "insert into orders values (1, 'espresso beans 1kg', 2), (2, 'oat milk 6x1l', 1),"
          + " (3, 'paper filters', 4);"
          + "grant select on orders to " + USER);
    } catch (RuntimeException e) {
      database.close();
      throw e;
    }
    return orders;
  }

  /**
   * Returns a new random password (24 random bytes, URL-safe base64).
   *
   * @return the password
   */
  static String newPassword() {
    byte[] bytes = new byte[24];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private void executeInOrders(String sql) {
    try (Connection connection = DriverManager.getConnection(jdbcUrl(), "postgres", "");
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("SQL on database " + DBNAME + " failed (SQLState "
          + e.getSQLState() + ")", e);
    }
  }

  /**
   * Returns the underlying server, for superuser SQL.
   *
   * @return the server
   */
  public EmbeddedDatabase database() {
    return database;
  }

  /**
   * Returns the host the server listens on.
   *
   * @return {@code localhost}
   */
  public String host() {
    return "localhost";
  }

  /**
   * Returns the server's port.
   *
   * @return the port
   */
  public int port() {
    return database.port();
  }

  /**
   * Returns the name of the services' database.
   *
   * @return {@value #DBNAME}
   */
  public String dbname() {
    return DBNAME;
  }

  /**
   * Returns the JDBC URL of the services' database, without credentials.
   *
   * @return the URL
   */
  public String jdbcUrl() {
    return "jdbc:postgresql://" + host() + ":" + port() + "/" + DBNAME;
  }

  /**
   * Sets a role's password; the first time for {@link #CLONE}, creates it with that password
   * as a member of {@link #USER}, as the rotation function does.
   *
   * @param user {@link #USER} or {@link #CLONE}
   * @param password the new password (URL-safe base64, as {@link #newPassword()} makes)
   */
  public synchronized void setPassword(String user, String password) {
    if (user.equals(CLONE) && !cloneCreated) {
      if (!password.matches("[A-Za-z0-9_-]+")) {
        throw new IllegalArgumentException("the password is not URL-safe base64");
      }
      database.execute("create role " + CLONE + " with login password '" + password + "';"
          + "grant " + USER + " to " + CLONE);
      cloneCreated = true;
    } else {
      database.setPassword(user, password);
    }
  }

  /**
   * Returns how many sessions a role has open now.
   *
   * @param user the role
   * @return its number of server processes
   */
  public int sessions(String user) {
    return database.sessions(user);
  }

  /** Stops the server and removes its data directory. */
  @Override
  public void close() {
    database.close();
  }
}
