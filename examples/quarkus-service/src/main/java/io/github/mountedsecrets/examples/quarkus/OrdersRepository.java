package io.github.mountedsecrets.examples.quarkus;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The service's queries, each on a connection borrowed from the default datasource's pool.
 *
 * <p>The pool gets its username and password from the {@code mounted-secrets} credentials
 * provider for every new physical connection; after a rotation the extension flushes it
 * gracefully, so a query either finishes on a connection of the old user or runs on one of
 * the new user, and none fails.
 */
@ApplicationScoped
public class OrdersRepository {
  private final AgroalDataSource dataSource;

  OrdersRepository(AgroalDataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * Returns every order, by id.
   *
   * @return the orders
   * @throws SQLException if the query failed
   */
  public List<Order> findAll() throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("select id, item, quantity from orders order by id")) {
      List<Order> orders = new ArrayList<>();
      while (rows.next()) {
        orders.add(new Order(rows.getInt(1), rows.getString(2), rows.getInt(3)));
      }
      return orders;
    }
  }

  /**
   * Returns the database user of the connection that ran the query.
   *
   * @return the result of {@code select current_user}
   * @throws SQLException if the query failed
   */
  public String currentUser() throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("select current_user")) {
      rows.next();
      return rows.getString(1);
    }
  }
}
