package io.github.mountedsecrets.quarkus.it;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Threads that run queries until closed, recording failures and the database user of the
 * latest successful query. Each thread pauses a quarter of a millisecond between queries,
 * so that two cores still leave room for the rotation itself; the system property
 * {@value #PAUSE_PROPERTY} sets another pause in microseconds ({@code 0}: none).
 */
final class Load implements AutoCloseable {
  static final String PAUSE_PROPERTY = "benchmark.pause-micros";
  static final long PAUSE_MICROS = Long.getLong(PAUSE_PROPERTY, 250);

  private final QueryService queries;
  private final List<Thread> threads = new CopyOnWriteArrayList<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicLong succeeded = new AtomicLong();
  private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
  private final AtomicReference<String> lastUser = new AtomicReference<>("");

  private Load(QueryService queries) {
    this.queries = queries;
  }

  static Load start(QueryService queries, int threadCount) {
    Load load = new Load(queries);
    for (int i = 0; i < threadCount; i++) {
      Thread thread = new Thread(load::run, "query-load-" + i);
      thread.setDaemon(true);
      load.threads.add(thread);
      thread.start();
    }
    return load;
  }

  private void run() {
    while (running.get()) {
      try {
        lastUser.set(queries.currentUser());
        succeeded.incrementAndGet();
      } catch (Exception e) {
        failures.add(e.getClass().getName() + ": " + e.getMessage());
      }
      if (PAUSE_MICROS > 0) {
        LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(PAUSE_MICROS));
      }
    }
  }

  long succeeded() {
    return succeeded.get();
  }

  List<String> failures() {
    return List.copyOf(failures);
  }

  String lastUser() {
    return lastUser.get();
  }

  @Override
  public void close() {
    running.set(false);
    try {
      for (Thread thread : threads) {
        thread.join(TimeUnit.SECONDS.toMillis(15));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
