package io.github.mountedsecrets.examples.spring;

import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The service's API: the orders table, and the database user the connection pool is connected
 * as. Both run real queries through the pool, so they show at once whether the pool's current
 * credentials work and whose they are.
 */
@RestController
class OrdersController {
  private final JdbcClient jdbc;

  OrdersController(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  @GetMapping("/orders")
  List<Order> orders() {
    return jdbc.sql("select id, item, quantity from orders order by id").query(Order.class).list();
  }

  @GetMapping("/whoami")
  WhoAmI whoami() {
    return new WhoAmI(jdbc.sql("select current_user").query(String.class).single());
  }

  /**
   * One row of the orders table.
   *
   * @param id the order's id
   * @param item what was ordered
   * @param quantity how many
   */
  record Order(int id, String item, int quantity) {
  }

  /**
   * The database user the pool's connections log in as (never its password).
   *
   * @param user the role name, {@code orders_app} or {@code orders_app_clone} in the examples
   */
  record WhoAmI(String user) {
  }
}
