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
 * two login roles of the alternating-users rotation strategy, {@code orders_a} and
 * {@code orders_b}, each allowed to read it.
 *
 * <p>Both roles start with random passwords that nobody knows; {@link OrdersMount} sets a
 * fresh one on a role just before it publishes that role's credentials, as a rotation function
 * does before the secret's new version becomes current.
 */
public final class OrdersDatabase implements AutoCloseable {
  /** The database the services use. */
  public static final String DBNAME = "orders";
  /** The first role of the alternating-users strategy. */
  public static final String USER_A = "orders_a";
  /** The second role of the alternating-users strategy. */
  public static final String USER_B = "orders_b";

  private static final SecureRandom RANDOM = new SecureRandom();

  private final EmbeddedDatabase database;

  private OrdersDatabase(EmbeddedDatabase database) {
    this.database = database;
  }

  /**
   * Starts the server and creates the database, its table and the two roles.
   *
   * @return the running database; close it to stop the server
   */
  public static OrdersDatabase start() {
    EmbeddedDatabase database = EmbeddedDatabase.start();
    OrdersDatabase orders = new OrdersDatabase(database);
    try {
      database.createUser(USER_A, newPassword());
      database.createUser(USER_B, newPassword());
      database.execute("create database " + DBNAME);
      orders.executeInOrders("create table orders (id integer primary key, item text not null,"
          + " quantity integer not null);"
          + "insert into orders values (1, 'espresso beans 1kg', 2), (2, 'oat milk 6x1l', 1),"
          + " (3, 'paper filters', 4);"
          + "grant select on orders to " + USER_A + ", " + USER_B);
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
   * Sets a role's password.
   *
   * @param user {@link #USER_A} or {@link #USER_B}
   * @param password the new password
   */
  public void setPassword(String user, String password) {
    database.setPassword(user, password);
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
