package io.github.mountedsecrets;

import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the change listeners of one mount and calls them, one after the other and in the
 * order the changes were published, on the mount's event thread.
 *
 * <p>Whatever a listener throws, {@link Error}s included, is logged (its type only: a message
 * may quote a value) and counted, and the next listener runs. The thread itself never ends
 * because of a listener.
 */
final class Dispatcher {
  private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

  private final Path directory;
  private final CopyOnWriteArrayList<Listener> listeners = new CopyOnWriteArrayList<>();
  private final ThreadPoolExecutor events;
  private final AtomicLong listenerFailures = new AtomicLong();
  private volatile Thread eventThread;
  private volatile SecretsChangeListener running;

  Dispatcher(Path directory, String threadName) {
    this.directory = directory;
    this.events = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
        new LinkedBlockingQueue<>(), runnable -> {
          Thread thread = new Thread(runnable, threadName);
          thread.setDaemon(true);
          eventThread = thread;
          return thread;
        });
  }

  private static final class Listener {
    final Predicate<SecretsChangedEvent> filter;
    final SecretsChangeListener listener;

    Listener(Predicate<SecretsChangedEvent> filter, SecretsChangeListener listener) {
      this.filter = filter;
      this.listener = listener;
    }
  }

  Subscription subscribe(Predicate<SecretsChangedEvent> filter, SecretsChangeListener listener) {
    Objects.requireNonNull(listener, "listener");
    Listener entry = new Listener(filter, listener);
    listeners.add(entry);
    return () -> listeners.remove(entry);
  }

  /** Hands an event to the event thread; dropped once closed. */
  void publish(SecretsChangedEvent event) {
    if (listeners.isEmpty()) {
      return;
    }
    try {
      events.execute(() -> deliver(event));
    } catch (RejectedExecutionException e) {
      LOG.debug("{}: closed; change event not delivered", directory);
    }
  }

  /** Returns how many times a listener threw. */
  long listenerFailures() {
    return listenerFailures.get();
  }

  private void deliver(SecretsChangedEvent event) {
    for (Listener entry : listeners) {
      try {
        if (entry.filter.test(event)) {
          running = entry.listener;
          entry.listener.onChange(event);
        }
      } catch (Throwable e) {
        listenerFailures.incrementAndGet();
        report(entry, e);
      } finally {
        running = null;
      }
    }
  }

  private void report(Listener entry, Throwable e) {
    try {
      // The exception's message could quote a value the listener handled, so only its type
      // is logged at WARN; the full stack trace goes to DEBUG.
      LOG.warn("{}: change listener {} threw {}; other listeners still run", directory,
          entry.listener.getClass().getName(), e.getClass().getName());
      if (LOG.isDebugEnabled()) {
        LOG.debug("{}: where the change listener failed", directory, withoutMessages(e));
      }
    } catch (Throwable logging) {
      // Logging itself failed (out of memory, say): the next listener still runs.
    }
  }

  private String runningName() {
    SecretsChangeListener listener = running;
    return listener == null ? "(finished)" : listener.getClass().getName();
  }

  boolean isEventThread() {
    return Thread.currentThread() == eventThread;
  }

  /**
   * Stops the event thread: waits for the listener running now until the deadline, then
   * interrupts it and waits a little more. A listener that ignores interrupts keeps its
   * (daemon) thread until it returns; a warning says so.
   */
  void close(long deadlineNanos) {
    events.shutdown();
    if (isEventThread()) {
      return;
    }
    try {
      long left = deadlineNanos - System.nanoTime();
      if (!events.awaitTermination(Math.max(0, left), TimeUnit.NANOSECONDS)) {
        events.shutdownNow();
        LOG.warn("{}: change listener {} did not finish before close() gave up waiting; "
            + "interrupted it", directory, runningName());
      }
      // The executor counts as terminated while its worker is still on its way out: wait
      // for the thread itself, so that no thread of this instance is alive after close().
      Thread thread = eventThread;
      if (thread != null) {
        thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(
            Math.max(TimeUnit.MILLISECONDS.toNanos(500), deadlineNanos - System.nanoTime()))));
        if (thread.isAlive()) {
          LOG.warn("{}: change listener {} ignores interruption; its thread {} outlives "
              + "close() until the listener returns", directory, runningName(), thread.getName());
        }
      }
    } catch (InterruptedException e) {
      events.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Returns a copy of a throwable chain that keeps types and stack frames but drops every
   * message, since a message may quote a value the failing code handled.
   */
  static Throwable withoutMessages(Throwable e) {
    return withoutMessages(e, 0);
  }

  private static Throwable withoutMessages(Throwable e, int depth) {
    Throwable cause = e.getCause();
    Throwable copy = new MessageFreeThrowable(e.getClass().getName(),
        cause == null || cause == e || depth >= 16 ? null : withoutMessages(cause, depth + 1));
    copy.setStackTrace(e.getStackTrace());
    return copy;
  }

  /** Stands in for a throwable whose message must not be logged. */
  private static final class MessageFreeThrowable extends Throwable {
    private static final long serialVersionUID = 1L;

    MessageFreeThrowable(String type, Throwable cause) {
      super(type + " (message not logged)", cause, false, true);
    }
  }
}
