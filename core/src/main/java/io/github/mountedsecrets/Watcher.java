package io.github.mountedsecrets;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reload thread of one {@link MountedSecrets}: waits for file-system events or the poll
 * deadline, decides cheaply whether the mount changed, and asks for a reload.
 *
 * <p>Atomic-writer layout: an event or a poll reads {@code ..data} (one {@code readlink})
 * and reloads at once when it points elsewhere; the switch is atomic, so no waiting is
 * needed. Plain-file layout: an event, or a poll that finds a file identity changed, sets a
 * deadline one quiet period ahead; every further event pushes it back, for at most
 * {@link Reloader#MAX_UNSETTLED_READS} quiet periods from the first one; when it passes, the
 * mount is read, and read again a quiet period later if a writer was still busy.
 *
 * <p>The watch service and its keys belong to this thread alone. Other threads only set the
 * wanted directories (through an atomic reference) and stop the thread.
 */
final class Watcher implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(Watcher.class);
  private static final long NEVER = Long.MAX_VALUE;
  private static final long ERROR_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final String NOT_MOUNTED = Reloader.NOT_MOUNTED;

  private final Reloader owner;
  private final Path root;
  private final long pollNanos;
  private final long quietNanos;
  private final String threadName;
  private volatile boolean stopping;
  private volatile Thread thread;
  private volatile WatchService service;
  private boolean watchEnabled;
  private final Map<Path, WatchKey> keys = new HashMap<>();
  /** When the next reload is due, or {@link #NEVER}. Owned by the loop. */
  private long pendingReload = NEVER;
  /** File identities when the current quiet period began; plain-file layout only. */
  private Map<String, List<Object>> settling;
  /**
   * When the first event of the burst being settled arrived ({@link System#nanoTime()}): events
   * and changing files push the read back by a quiet period, but for no longer than
   * {@link #maxPostponeNanos} from here, so that a file touched without end (a stuck writer's
   * temporary file) cannot hold a rotation back without bound.
   */
  private long settlingSince;
  private final long maxPostponeNanos;
  /**
   * What the mount looked like (its generation, else its file identities) when last examined
   * before the next read; null once a read used it.
   */
  private Object seen;
  /**
   * What the mount looked like before a read refused for the read limits, or null: while it
   * looks the same, the poll does not read it again.
   */
  private Object refusedAt;

  Watcher(Reloader owner, Path root, Duration pollInterval, Duration quietPeriod,
      boolean watch, String threadName) {
    this.owner = owner;
    this.root = root;
    this.pollNanos = pollInterval.toNanos();
    this.quietNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(1), quietPeriod.toNanos());
    this.maxPostponeNanos = quietNanos * Reloader.MAX_UNSETTLED_READS;
    this.watchEnabled = watch;
    this.threadName = threadName;
  }

  /** Creates the watch service and watches the root, on the caller's thread, before the first read. */
  void prepare() {
    try {
      syncRegistrations();
    } catch (IOException | RuntimeException e) {
      LOG.debug("{}: could not watch the mount yet; the reload thread tries again", root, e);
    }
  }

  void start() {
    Thread t = new Thread(this, threadName);
    t.setDaemon(true);
    thread = t;
    t.start();
  }

  void stop(long deadlineNanos) {
    stopping = true;
    WatchService s = service;
    if (s != null) {
      try {
        s.close();
      } catch (IOException e) {
        LOG.debug("{}: closing the watch service failed", root, e);
      }
    }
    Thread t = thread;
    if (t != null && t != Thread.currentThread()) {
      t.interrupt();
      LockSupport.unpark(t);
      try {
        t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime())));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void run() {
    try {
      loop();
    } catch (Throwable e) {
      // Only an error thrown while an error was being handled gets here: say that the mount
      // is no longer followed, for health checks to report.
      try {
        owner.markStopped(e);
      } catch (Throwable ignored) {
        // Nothing more can be done on this thread.
      }
    } finally {
      closeService();
    }
  }

  private void loop() {
    long nextPoll = System.nanoTime() + pollNanos;
    pendingReload = NEVER;
    boolean firstCheck = true;
    while (!stopping) {
      try {
        syncRegistrations();
        if (firstCheck) {
          // Directories found by the first read are watched only from now on: check once
          // for a change that happened in between. Without a watch service nothing was
          // missed: the poll alone decides when the mount is read, as the builder says.
          firstCheck = false;
          if (watchEnabled && changedSinceLastRead()) {
            pendingReload = atomic() ? reloadNow() : settleLater();
          }
        }
        long now = System.nanoTime();
        long deadline = Math.min(nextPoll, pendingReload);
        if (deadline - now > 0) {
          if (awaitEvents(deadline - now)) {
            if (atomic()) {
              if (changedSinceLastRead()) {
                pendingReload = reloadNow();
              }
            } else {
              pendingReload = postpone();
            }
          }
          continue;
        }
        if (now - pendingReload >= 0) {
          pendingReload = settledOrLater();
        }
        if (now - nextPoll >= 0) {
          nextPoll = now + pollNanos;
          if (pendingReload == NEVER && changedSinceLastRead()) {
            pendingReload = atomic() ? reloadNow() : settleLater();
          }
        }
      } catch (ClosedWatchServiceException e) {
        if (stopping) {
          break;
        }
        service = null;
        keys.clear();
      } catch (InterruptedException e) {
        if (stopping) {
          break;
        }
      } catch (Throwable e) {
        if (stopping || owner.isClosed()) {
          break;
        }
        // Whatever happened, errors included, is reported and the loop goes on: a reload
        // thread that ends unnoticed would leave the status saying READY while rotations
        // are no longer served.
        owner.recordWatchFailure(e);
        LOG.warn("{}: watching failed ({}); retrying in 1 s", root, IoReasons.reason(e));
        LockSupport.parkNanos(ERROR_BACKOFF_NANOS);
        pendingReload = System.nanoTime();
      }
    }
  }

  private boolean atomic() {
    return owner.watchPlan().layout() == MountLayout.ATOMIC_WRITER;
  }

  /**
   * Starts (or restarts) the quiet period of the plain-file layout and remembers what the
   * files look like now, so that the end of the period is checked against the files
   * themselves rather than against events alone, which may arrive late on a busy machine.
   */
  private long settleLater() throws IOException {
    if (pendingReload == NEVER) {
      settlingSince = System.nanoTime();
    }
    settling = owner.identities();
    seen = settling;
    return System.nanoTime() + quietNanos;
  }

  /**
   * On an event of the plain-file layout: starts or restarts the quiet period, unless the
   * burst has already postponed the read for {@link #maxPostponeNanos}: then the read stays
   * due when it was.
   */
  private long postpone() throws IOException {
    if (pendingReload != NEVER && postponedLongEnough()) {
      return pendingReload;
    }
    return settleLater();
  }

  /** Whether the burst being settled has postponed the read for {@link #maxPostponeNanos}. */
  private boolean postponedLongEnough() {
    return System.nanoTime() - settlingSince >= maxPostponeNanos;
  }

  /**
   * At the end of a quiet period: reads the mount if its files did not change during the
   * period (or the burst already postponed the read for {@link #maxPostponeNanos}), else waits
   * another period.
   */
  private long settledOrLater() throws IOException {
    Map<String, List<Object>> before = settling;
    if (before != null && !postponedLongEnough()) {
      Map<String, List<Object>> now = owner.identities();
      seen = now;
      if (now != null && !now.equals(before)) {
        settling = now;
        return System.nanoTime() + quietNanos;
      }
    }
    settling = null;
    return reloadNow();
  }

  /** Reloads and returns when to try again: never, or after another quiet period. */
  private long reloadNow() throws IOException {
    // Examined before the read, so that a change made during the read is read again. (The
    // quiet period takes file identities, which an atomic-writer mount does not have: then its
    // generation, one readlink.)
    Object before = seen != null ? seen : examine();
    seen = null;
    Reloader.Outcome outcome = owner.reloadOnce();
    refusedAt = outcome == Reloader.Outcome.FAILED && owner.refusedOnLimits() ? before : null;
    return outcome == Reloader.Outcome.UNSETTLED || outcome == Reloader.Outcome.BUSY
        ? settleLater() : NEVER;
  }

  /**
   * Returns whether the mount differs from what was last read. For the atomic writer this
   * costs one {@code readlink}; for plain files, one {@code stat} per file.
   */
  private boolean changedSinceLastRead() throws IOException {
    MountStatus status = owner.status();
    if (status.state() != MountState.READY && owner.refusedOnLimits()) {
      // Refused for the read limits: read again only once the mount changed, rather than
      // reading up to maxEntries entries and maxTotalSize bytes on every poll. (A read refused
      // before this thread looked at the mount, at startup, is read once more to learn how
      // the mount looks.)
      Object now = examine();
      seen = now;
      return refusedAt == null || now == null || !now.equals(refusedAt);
    }
    if (status.state() != MountState.READY) {
      // Read again while there is something to read, and once more after the root vanished
      // while the status said something else (a failed read, a mount seen half taken apart, or
      // empty), so that it ends up saying the mount is gone; then not until it is back.
      return Files.exists(root)
          || !status.failureReason().map(NOT_MOUNTED::equals).orElse(false);
    }
    refusedAt = null;
    String generation = owner.currentGeneration();
    seen = generation;
    String lastGeneration = owner.lastGeneration();
    if (generation != null || lastGeneration != null) {
      return generation == null || !generation.equals(lastGeneration);
    }
    Map<String, List<Object>> identities = owner.identities();
    seen = identities;
    return identities == null || !identities.equals(owner.lastIdentities());
  }

  /** Returns the generation of the mount, else the identities of its files, else null. */
  private Object examine() throws IOException {
    String generation = owner.currentGeneration();
    return generation != null ? generation : owner.identities();
  }

  private boolean awaitEvents(long nanos) throws InterruptedException {
    WatchService s = service;
    if (s == null) {
      LockSupport.parkNanos(nanos);
      if (Thread.interrupted() && stopping) {
        throw new InterruptedException();
      }
      return false;
    }
    WatchKey key = s.poll(nanos, TimeUnit.NANOSECONDS);
    boolean any = false;
    while (key != null) {
      for (WatchEvent<?> event : key.pollEvents()) {
        any |= event.kind() != null;
      }
      if (!key.reset()) {
        keys.values().remove(key);
        any = true;
      }
      key = s.poll();
    }
    return any;
  }

  private void syncRegistrations() throws IOException {
    if (!watchEnabled || stopping) {
      return;
    }
    if (!Files.isDirectory(root)) {
      if (service != null) {
        closeService();
      }
      return;
    }
    if (service == null) {
      try {
        service = root.getFileSystem().newWatchService();
      } catch (UnsupportedOperationException e) {
        watchEnabled = false;
        LOG.info("{}: the file system offers no watch service; relying on the poll", root);
        return;
      }
      if (stopping) {
        closeService();
        return;
      }
    }
    Reloader.WatchPlan w = owner.watchPlan();
    Set<Path> dirs = new LinkedHashSet<>();
    dirs.add(root);
    if (w.layout() == MountLayout.FILE_BY_FILE) {
      dirs.addAll(w.directories());
    }
    for (Iterator<Map.Entry<Path, WatchKey>> it = keys.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Path, WatchKey> entry = it.next();
      if (!entry.getValue().isValid() || !dirs.contains(entry.getKey())) {
        entry.getValue().cancel();
        it.remove();
      }
    }
    for (Path dir : dirs) {
      if (!keys.containsKey(dir)) {
        try {
          keys.put(dir, dir.register(service, StandardWatchEventKinds.ENTRY_CREATE,
              StandardWatchEventKinds.ENTRY_DELETE, StandardWatchEventKinds.ENTRY_MODIFY));
        } catch (java.nio.file.NoSuchFileException e) {
          LOG.debug("{}: directory vanished before it could be watched", root);
        }
      }
    }
  }

  private void closeService() {
    WatchService s = service;
    service = null;
    keys.clear();
    if (s != null) {
      try {
        s.close();
      } catch (IOException e) {
        LOG.debug("{}: closing the watch service failed", root, e);
      }
    }
  }
}
