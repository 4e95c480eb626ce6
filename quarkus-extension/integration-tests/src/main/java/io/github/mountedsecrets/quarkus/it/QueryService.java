package io.github.mountedsecrets.quarkus.it;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** The application's one query: which database user served it. */
@ApplicationScoped
public class QueryService {
  private final AgroalDataSource dataSource;

  QueryService(AgroalDataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * Runs one query on a pooled connection.
   *
   * @return the database user of the connection that ran it
   * @throws SQLException if the query failed
   */
  public String currentUser() throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("select current_user")) {
      result.next();
      return result.getString(1);
    }
  }
}
