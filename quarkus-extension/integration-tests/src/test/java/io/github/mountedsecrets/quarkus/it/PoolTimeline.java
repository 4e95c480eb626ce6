package io.github.mountedsecrets.quarkus.it;

import io.agroal.api.AgroalPoolInterceptor;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jboss.logging.Logger;

/**
 * Records when the pool finished opening and started closing each connection, and for which
 * database user, so that the rotation benchmark can say where the time of a switch goes.
 */
final class PoolTimeline implements AgroalPoolInterceptor {
  /** One opening or closing. */
  record Event(long nanos, boolean created, String user) {}

  private static final Logger LOG = Logger.getLogger(PoolTimeline.class);

  private final List<Event> events = new CopyOnWriteArrayList<>();

  @Override
  public void onConnectionCreate(Connection connection) {
    Event event = new Event(System.nanoTime(), true, user(connection));
    events.add(event);
    LOG.debugf("opened a connection as %s", event.user());
  }

  @Override
  public void onConnectionDestroy(Connection connection) {
    Event event = new Event(System.nanoTime(), false, user(connection));
    events.add(event);
    LOG.debugf("closing a connection as %s", event.user());
  }

  /** Returns the first event of the kind for the user at or after {@code since}, or -1. */
  long first(long since, boolean created, String user) {
    for (Event event : events) {
      if (event.nanos() >= since && event.created() == created && event.user().equals(user)) {
        return event.nanos();
      }
    }
    return -1;
  }

  private static String user(Connection connection) {
    try {
      return connection.getMetaData().getUserName();
    } catch (SQLException e) {
      return "?";
    }
  }
}
