package io.github.mountedsecrets.spring;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;

/**
 * Queries a data source from several threads until closed, counting successes by database
 * user and recording every failure (type and SQLState).
 */
final class QueryLoad implements AutoCloseable {
  private final DataSource dataSource;
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicLong succeeded = new AtomicLong();
  private final Map<String, AtomicLong> byUser = new ConcurrentHashMap<>();
  private final List<String> failures = new CopyOnWriteArrayList<>();
  private volatile boolean running = true;

  private QueryLoad(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  static QueryLoad start(DataSource dataSource, int threads) {
    QueryLoad load = new QueryLoad(dataSource);
    for (int i = 0; i < threads; i++) {
      Thread thread = new Thread(load::run, "query-load-" + i);
      thread.setDaemon(true);
      load.threads.add(thread);
      thread.start();
    }
    return load;
  }

  private void run() {
    while (running) {
      try (Connection connection = dataSource.getConnection();
          Statement statement = connection.createStatement();
          ResultSet rs = statement.executeQuery("select current_user, count(*) from pg_class")) {
        rs.next();
        byUser.computeIfAbsent(rs.getString(1), u -> new AtomicLong()).incrementAndGet();
        succeeded.incrementAndGet();
      } catch (SQLException e) {
        failures.add(e.getClass().getName() + " (SQLState " + e.getSQLState() + ")");
      } catch (RuntimeException e) {
        failures.add(e.getClass().getName());
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
  }

  long succeeded() {
    return succeeded.get();
  }

  long succeededAs(String user) {
    AtomicLong count = byUser.get(user);
    return count == null ? 0 : count.get();
  }

  List<String> failures() {
    return failures;
  }

  @Override
  public void close() {
    running = false;
    try {
      for (Thread thread : threads) {
        thread.join(TimeUnit.SECONDS.toMillis(10));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "QueryLoad[succeeded=" + succeeded + ", failed=" + failures.size() + ", users="
        + byUser.keySet() + "]";
  }
}
