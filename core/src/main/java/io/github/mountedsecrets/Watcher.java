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
import java.util.concurrent.atomic.AtomicReference;
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
 * deadline one quiet period ahead; every further event pushes it back; when it passes, the
 * mount is read, and read again a quiet period later if a writer was still busy.
 *
 * <p>The watch service and its keys belong to this thread alone. Other threads only set the
 * wanted directories (through an atomic reference) and stop the thread.
 */
final class Watcher implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(Watcher.class);
  private static final long NEVER = Long.MAX_VALUE;
  private static final long ERROR_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final MountedSecrets owner;
  private final Path root;
  private final long pollNanos;
  private final long quietNanos;
  private final String threadName;
  private final AtomicReference<Wanted> wanted =
      new AtomicReference<>(new Wanted(MountLayout.NONE, List.of()));
  private volatile boolean stopping;
  private volatile Thread thread;
  private volatile WatchService service;
  private boolean watchEnabled;
  private final Map<Path, WatchKey> keys = new HashMap<>();
  /** File identities when the current quiet period began; plain-file layout only. */
  private Map<String, List<Object>> settling;

  private record Wanted(MountLayout layout, List<Path> directories) {}

  Watcher(MountedSecrets owner, Path root, Duration pollInterval, Duration quietPeriod,
      boolean watch, String threadName) {
    this.owner = owner;
    this.root = root;
    this.pollNanos = pollInterval.toNanos();
    this.quietNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(1), quietPeriod.toNanos());
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

  void stop() {
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
        t.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Called after each successful read with the layout and the directories to watch. */
  void watchDirectories(MountLayout layout, List<Path> directories) {
    wanted.set(new Wanted(layout, List.copyOf(directories)));
  }

  @Override
  public void run() {
    long nextPoll = System.nanoTime() + pollNanos;
    long pendingReload = NEVER;
    boolean firstCheck = true;
    while (!stopping) {
      try {
        syncRegistrations();
        if (firstCheck) {
          // Directories found by the first read are watched only from now on: check once
          // for a change that happened in between.
          firstCheck = false;
          if (changedSinceLastRead()) {
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
              pendingReload = settleLater();
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
      } catch (IOException | RuntimeException e) {
        if (stopping) {
          break;
        }
        LOG.warn("{}: watching failed ({}); retrying", root, MountReader.reason(
            e instanceof IOException ? (IOException) e : new IOException(e.getClass().getSimpleName())));
        LOG.debug("{}: watch failure", root, e);
        LockSupport.parkNanos(ERROR_BACKOFF_NANOS);
      }
    }
    closeService();
  }

  private boolean atomic() {
    return wanted.get().layout() == MountLayout.ATOMIC_WRITER;
  }

  /**
   * Starts (or restarts) the quiet period of the plain-file layout and remembers what the
   * files look like now, so that the end of the period is checked against the files
   * themselves rather than against events alone, which may arrive late on a busy machine.
   */
  private long settleLater() throws IOException {
    settling = owner.reader().identities();
    return System.nanoTime() + quietNanos;
  }

  /**
   * At the end of a quiet period: reads the mount if its files did not change during the
   * period, else waits another period.
   */
  private long settledOrLater() throws IOException {
    Map<String, List<Object>> before = settling;
    if (before != null) {
      Map<String, List<Object>> now = owner.reader().identities();
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
    MountedSecrets.Outcome outcome = owner.reloadOnce();
    return outcome == MountedSecrets.Outcome.UNSETTLED ? settleLater() : NEVER;
  }

  /**
   * Returns whether the mount differs from what was last read. For the atomic writer this
   * costs one {@code readlink}; for plain files, one {@code stat} per file.
   */
  private boolean changedSinceLastRead() throws IOException {
    MountStatus status = owner.status();
    if (status.state() != MountState.READY) {
      return Files.exists(root) || status.state() == MountState.STALE
          && status.lastReloadResult() == ReloadResult.FAILURE;
    }
    MountReader reader = owner.reader();
    String generation = reader.currentGeneration();
    String lastGeneration = owner.lastGeneration();
    if (generation != null || lastGeneration != null) {
      return generation == null || !generation.equals(lastGeneration);
    }
    Map<String, List<Object>> identities = reader.identities();
    return identities == null || !identities.equals(owner.lastIdentities());
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
    Wanted w = wanted.get();
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
