package io.github.mountedsecrets;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs file-system work on a thread of its own and gives up waiting for it after a deadline,
 * so that nothing the mount holds can stall a reload, the watcher or {@code close()}.
 *
 * <p>Java cannot open a file without blocking when the file turns out to be a FIFO (a FIFO
 * swapped in after the entry was examined), nor interrupt a thread blocked in that open. When
 * work misses its deadline, its thread is set aside and the next call gets a fresh thread.
 * The entry the stalled work was opening is released: a FIFO is opened for reading and writing
 * (which never blocks on Linux) and closed again, which wakes the stalled open; the reader then
 * finds that what it opened cannot seek and skips it. A thread blocked on something else (a
 * stalled network file system) stays blocked; it is a daemon, {@link #close()} does not wait
 * for it beyond its bound, and a warning names it.
 */
final class BoundedIo implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BoundedIo.class);

  private final Path directory;
  private final String threadName;
  private final Supplier<Path> opening;
  private final LongSupplier lastOpenNanos;
  private final List<Thread> stalled = new CopyOnWriteArrayList<>();
  private volatile ThreadPoolExecutor executor;
  private volatile Thread worker;
  private volatile boolean closed;

  /**
   * @param opening the entry the work is opening right now, or null
   * @param lastOpenNanos the {@link System#nanoTime()} at which the work last began to open an
   *     entry: its progress
   */
  BoundedIo(Path directory, String threadName, Supplier<Path> opening, LongSupplier lastOpenNanos) {
    this.directory = directory;
    this.threadName = threadName;
    this.opening = opening;
    this.lastOpenNanos = lastOpenNanos;
  }

  /** The work did not finish within the deadline. */
  static final class StalledException extends IOException {
    private static final long serialVersionUID = 1L;
    private final transient Path entry;

    StalledException(Path entry) {
      super("stalled", null);
      this.entry = entry;
    }

    /** The entry being opened when the deadline passed, or null. */
    Path entry() {
      return entry;
    }
  }

  /**
   * Runs work and returns its result, waiting as long as it makes progress: at most
   * {@code timeoutNanos} for the first entry it opens, and at most {@code timeoutNanos} after
   * each entry it began to open. Work that opens nothing new for that long has stalled (a FIFO,
   * a file system that stopped answering); work that keeps opening entries is never cut off,
   * however many entries the mount holds or however slow a starved machine reads them.
   *
   * @throws StalledException if the work stopped making progress
   */
  synchronized <T> T call(Callable<T> work, long timeoutNanos) throws IOException {
    if (closed) {
      throw new InterruptedIOException("closed");
    }
    ThreadPoolExecutor ex = executor();
    long start = System.nanoTime();
    Future<T> future = ex.submit(work);
    long deadline = start + timeoutNanos;
    try {
      while (true) {
        try {
          return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
          long lastOpen = lastOpenNanos.getAsLong();
          if (lastOpen - start > 0 && lastOpen + timeoutNanos - System.nanoTime() > 0) {
            deadline = lastOpen + timeoutNanos; // progress since: wait on
            continue;
          }
          Path entry = opening.get();
          abandon(ex);
          release(entry);
          throw new StalledException(entry);
        }
      }
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while the mount was read");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException) {
        throw (IOException) cause;
      }
      if (cause instanceof RuntimeException) {
        throw (RuntimeException) cause;
      }
      if (cause instanceof Error) {
        throw (Error) cause;
      }
      throw new IOException(cause.getClass().getSimpleName(), null);
    }
  }

  private ThreadPoolExecutor executor() {
    if (executor == null) {
      executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
          new LinkedBlockingQueue<>(), runnable -> {
            Thread thread = new Thread(runnable, threadName);
            thread.setDaemon(true);
            worker = thread;
            return thread;
          });
    }
    return executor;
  }

  private void abandon(ThreadPoolExecutor ex) {
    ex.shutdownNow();
    executor = null;
    Thread thread = worker;
    if (thread != null) {
      stalled.add(thread);
    }
    stalled.removeIf(t -> !t.isAlive());
  }

  /** Wakes a thread blocked opening a FIFO, by opening that FIFO from this side too. */
  static void release(Path entry) {
    if (entry == null) {
      return;
    }
    try {
      BasicFileAttributes attrs = Files.readAttributes(entry, BasicFileAttributes.class,
          LinkOption.NOFOLLOW_LINKS);
      if (attrs.isOther()) {
        // Opening both ends satisfies the blocked open; closing ends it with end of file.
        FileChannel.open(entry, StandardOpenOption.READ, StandardOpenOption.WRITE,
            LinkOption.NOFOLLOW_LINKS).close();
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug("{}: could not release a stalled open ({})", entry, IoReasons.reason(e));
    }
  }

  /** Returns the number of threads set aside after missing a deadline that are still alive. */
  int stalledThreads() {
    stalled.removeIf(t -> !t.isAlive());
    return stalled.size();
  }

  /**
   * Stops the thread, releasing and waiting for set-aside threads until the deadline.
   *
   * @param deadlineNanos {@link System#nanoTime()} value after which it stops waiting
   */
  void close(long deadlineNanos) {
    closed = true;
    ThreadPoolExecutor ex = executor;
    if (ex != null) {
      ex.shutdownNow();
    }
    Thread current = worker;
    if (current != null && !stalled.contains(current)) {
      stalled.add(current);
    }
    release(opening.get());
    for (Thread thread : stalled) {
      long left = deadlineNanos - System.nanoTime();
      if (left > 0) {
        try {
          thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    stalled.removeIf(t -> !t.isAlive());
    if (!stalled.isEmpty()) {
      LOG.warn("{}: {} reading thread(s) are blocked in the file system and outlive close(); "
          + "they end when the file system answers", directory, stalled.size());
    }
  }

  @Override
  public void close() {
    close(System.nanoTime() + TimeUnit.SECONDS.toNanos(1));
  }
}
