package io.github.mountedsecrets.examples.quarkus;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.sql.SQLException;
import java.util.List;

/**
 * The service's endpoints, {@code GET /orders} and {@code GET /whoami}; both need the current
 * API key in {@code X-Api-Key} ({@link ApiKeyFilter}).
 */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
@ApiKeyRequired
public class OrdersResource {
  private final OrdersRepository orders;

  OrdersResource(OrdersRepository orders) {
    this.orders = orders;
  }

  /**
   * Lists the orders.
   *
   * @return every order, by id
   * @throws SQLException if the query failed; answered with 503 by {@link DatabaseErrorMapper}
   */
  @GET
  @Path("orders")
  public List<Order> orders() throws SQLException {
    return orders.findAll();
  }

  /**
   * Tells which database user the pool is connected as; never the password.
   *
   * @return the user
   * @throws SQLException if the query failed; answered with 503 by {@link DatabaseErrorMapper}
   */
  @GET
  @Path("whoami")
  public WhoAmI whoami() throws SQLException {
    return new WhoAmI(orders.currentUser());
  }
}
