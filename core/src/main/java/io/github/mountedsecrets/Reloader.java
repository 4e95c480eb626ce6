package io.github.mountedsecrets;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reload state machine of one mount: reads it (on a bounded reading thread), assembles
 * the next snapshot, decides whether the mount is ready, stale, missing or being taken
 * apart, keeps the counters and the status, and hands change events to the dispatcher.
 *
 * <h2>Concurrency</h2>
 *
 * <p>Reloads are serialized by one lock and run on the watcher's thread, or on the caller's
 * for {@link MountedSecrets#reload()}. The read itself runs on a {@link BoundedIo} thread,
 * which gives up once the read opened no new entry for the read timeout, so a reload stalled
 * by the mount holds the lock for at most the read timeout plus the assembly; a read that keeps
 * making progress holds it until it is done. The snapshot
 * and the status are published through volatile fields, status first, so that whoever sees
 * new values also sees the state that goes with them. Nothing a reload throws, errors
 * included, leaves this class: it becomes a failed reload with a reason.
 */
final class Reloader {
  private static final Logger LOG = LoggerFactory.getLogger(Reloader.class);
  private static final String SHADOWED = "\u0000shadowed:";
  /** The failure reason of a mount that is not there: the watcher does not read it again until it is. */
  static final String NOT_MOUNTED = "not mounted";
  /** Reads in a row that may find a writer busy before the mount is taken as it is. */
  static final int MAX_UNSETTLED_READS = 10;
  private static final long LOCK_MARGIN_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

  /** What one reload attempt found. */
  enum Outcome { CHANGED, UNCHANGED, UNSETTLED, ABSENT, FAILED, CLOSED, BUSY }

  private final Path directory;
  private final Clock clock;
  private final Duration readTimeout;
  private final MountReader reader;
  private final SnapshotAssembler assembler;
  private final BoundedIo io;
  private final Dispatcher dispatcher;
  private final Consumer<SnapshotAssembler.Assembly> onSwap;
  private final ReentrantLock lock = new ReentrantLock();

  private volatile SecretsSnapshot current;
  private volatile MountStatus status;
  private volatile boolean closed;
  private volatile WatchPlan watchPlan = new WatchPlan(MountLayout.NONE, List.of());

  // Guarded by lock.
  private Map<String, String> reportedInvalid = Map.of();
  private volatile Map<String, List<Object>> lastIdentities;
  private volatile String lastGeneration;
  private Instant lastReloadAt;
  private Instant lastSuccessAt;
  private Instant lastChangeAt;
  private Instant staleSince;
  private ReloadResult lastResult = ReloadResult.NONE;
  private volatile String failureReason;
  /** Whether the last read was refused for maxEntries or maxTotalSize. */
  private volatile boolean refusedOnLimits;
  private long successfulReloads;
  private long failedReloads;
  private long changes;
  private Map<String, String> invalidFiles = Map.of();
  private boolean started;
  private int consecutiveUnsettled;
  private boolean stopped;

  /** The layout last read and the directories to watch for it. */
  record WatchPlan(MountLayout layout, List<Path> directories) {}

  Reloader(Path directory, Clock clock, Duration readTimeout, MountReader reader,
      SnapshotAssembler assembler, Dispatcher dispatcher, String ioThreadName,
      Consumer<SnapshotAssembler.Assembly> onSwap) {
    this.directory = directory;
    this.clock = clock;
    this.readTimeout = readTimeout;
    this.reader = reader;
    this.assembler = assembler;
    this.dispatcher = dispatcher;
    this.onSwap = onSwap;
    this.io = new BoundedIo(directory, ioThreadName, reader::opening, reader::lastOpenNanos);
    this.current = SecretsSnapshot.empty(directory, clock.instant());
    this.status = buildStatus(MountState.MISSING, MountLayout.NONE, current);
  }

  /** Returns the snapshot served now. */
  SecretsSnapshot current() {
    return current;
  }

  /** Records that the instance has started: later changes are events. */
  void markStarted() {
    lock.lock();
    try {
      started = true;
    } finally {
      lock.unlock();
    }
  }

  /** Returns the status that goes with {@link #current()}. */
  MountStatus status() {
    return status;
  }

  /** Returns the layout last read and the directories the watcher should watch for it. */
  WatchPlan watchPlan() {
    return watchPlan;
  }

  /** Records that the mount is not there at startup. */
  void markMissingAtStart() {
    lock.lock();
    try {
      failureReason = Files.exists(directory) ? "not a directory" : NOT_MOUNTED;
      status = buildStatus(MountState.MISSING, MountLayout.NONE, current);
    } finally {
      lock.unlock();
    }
  }

  String failureReason() {
    return failureReason;
  }

  /**
   * Returns whether the last read was refused for {@code maxEntries} or {@code maxTotalSize}:
   * reading the same mount again would be refused again, at the same cost.
   */
  boolean refusedOnLimits() {
    return refusedOnLimits;
  }

  /**
   * Records that the reload thread ended after an error it could not survive: the state
   * becomes {@link MountState#STOPPED}, for health checks to report.
   */
  void markStopped(Throwable cause) {
    // Not behind the lock: a reload stuck on the lock must not hide that the thread stopped.
    stopped = true;
    failureReason = "the reload thread stopped after " + cause.getClass().getName()
        + "; secrets no longer follow the mount. Restart the application";
    status = buildStatus(MountState.STOPPED, current.layout(), current);
    LOG.error("{}: {}", directory, failureReason);
  }

  /** Records an error the watcher survived, as a failed reload. */
  void recordWatchFailure(Throwable error) {
    if (!lock.tryLock()) {
      return; // A reload is under way: it reports for itself.
    }
    try {
      if (!stopped) {
        fail(current, clock.instant(), "watching failed (" + IoReasons.reason(error) + ")");
      }
    } finally {
      lock.unlock();
    }
  }

  // Cheap checks for the watcher, bounded like reads.

  String currentGeneration() throws IOException {
    return io.call(reader::currentGeneration, readTimeout.toNanos());
  }

  Map<String, List<Object>> identities() throws IOException {
    return io.call(reader::identities, readTimeout.toNanos());
  }

  String lastGeneration() {
    return lastGeneration;
  }

  Map<String, List<Object>> lastIdentities() {
    return lastIdentities;
  }

  /** Records that the mount is gone (or empty, or a file); the last snapshot stays. */
  private Outcome markAbsent(SecretsSnapshot previous, Instant now, String reason) {
    lastReloadAt = now;
    boolean first = !reason.equals(failureReason);
    failureReason = reason;
    lastGeneration = null;
    lastIdentities = null;
    if (previous.revision() > 0) {
      if (staleSince == null) {
        staleSince = now;
      }
      status = buildStatus(stopped ? MountState.STOPPED : MountState.STALE, previous.layout(),
          previous);
      if (first) {
        LOG.warn("{}: mount {}; serving the last snapshot (revision {}, loaded {}) until it "
            + "comes back", directory, reason, previous.revision(), previous.loadedAt());
      }
    } else {
      status = buildStatus(MountState.MISSING, MountLayout.NONE, previous);
    }
    return Outcome.ABSENT;
  }

  private Outcome fail(SecretsSnapshot previous, Instant now, String reason) {
    lastReloadAt = now;
    lastResult = ReloadResult.FAILURE;
    failedReloads++;
    boolean first = failureReason == null || !failureReason.equals(reason);
    failureReason = reason;
    if (staleSince == null && previous.revision() > 0) {
      staleSince = now;
    }
    MountState state = stopped ? MountState.STOPPED
        : previous.revision() > 0 ? MountState.STALE : MountState.MISSING;
    status = buildStatus(state, previous.layout(), previous);
    if (first) {
      LOG.warn("{}: reload failed, keeping the last good snapshot (revision {}): {}",
          directory, previous.revision(), reason);
    }
    return Outcome.FAILED;
  }

  /**
   * Reads the mount once. When a writer seems busy (plain-file layout), returns
   * {@link Outcome#UNSETTLED} without publishing, unless that happened
   * {@value #MAX_UNSETTLED_READS} times in a row: then what is there is taken as it is,
   * except the files that were changing while they were read, which keep their last good
   * values.
   */
  Outcome reloadOnce() {
    // When the mount stalls, the whole call is bounded: waiting for a reload under way (the
    // watcher's, stuck on the same FIFO, say) counts against the read timeout, and the read
    // gets what is left, but never less than half of it, as its wait on each entry.
    long timeout = readTimeout.toNanos();
    long start = System.nanoTime();
    try {
      // A little past the timeout: a reload stalled on a FIFO gives up at the timeout, and
      // this one then reads for itself rather than reporting the mount busy.
      if (!lock.tryLock(timeout + LOCK_MARGIN_NANOS, TimeUnit.NANOSECONDS)) {
        return Outcome.BUSY;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Outcome.CLOSED;
    }
    try {
      Outcome outcome = readOrFail(timeout, start);
      if (outcome != Outcome.UNSETTLED) {
        // Published, failed, gone or closed: the next change gets its full count of re-reads.
        consecutiveUnsettled = 0;
      }
      return outcome;
    } finally {
      lock.unlock();
    }
  }

  /** One read, under the lock, its failures reported and turned into outcomes. */
  private Outcome readOrFail(long timeout, long start) {
    if (closed) {
      return Outcome.CLOSED;
    }
    SecretsSnapshot previous = current;
    Instant now = clock.instant();
    refusedOnLimits = false;
    long budget = Math.max(timeout / 2, timeout - (System.nanoTime() - start));
    try {
      return reloadLocked(previous, now, budget);
    } catch (BoundedIo.StalledException e) {
      return fail(previous, now, stalledReason(e.entry()));
    } catch (java.io.InterruptedIOException e) {
      return closed ? Outcome.CLOSED : fail(previous, now, "interrupted while reading");
    } catch (IOException | RuntimeException e) {
      if (closed) {
        return Outcome.CLOSED;
      }
      if (!Files.exists(directory, LinkOption.NOFOLLOW_LINKS)) {
        // The mount went away while it was being read (a volume torn down): report it as
        // gone, as the next read would, not as the file that vanished under the reader.
        return markAbsent(previous, now, NOT_MOUNTED);
      }
      refusedOnLimits = e instanceof ReadLimits.ExceededException;
      String reason = IoReasons.reason(e instanceof IOException
          ? (IOException) e : new IOException(e.getClass().getSimpleName(), null));
      if (e.getMessage() != null && !(e instanceof java.nio.file.FileSystemException)
          && e instanceof IOException) {
        reason = e.getMessage(); // our own messages, which never quote content
      }
      return fail(previous, now, reason);
    } catch (Throwable e) {
      // An Error (out of memory on a huge mount, a stack overflow) fails this reload only.
      return fail(previous, now, e.getClass().getName() + " while the mount was read or "
          + "assembled; the last good snapshot is kept and the next change is read again");
    }
  }

  private String stalledReason(Path entry) {
    String what = entry == null ? "the mount"
        : "'" + Names.printable(relativeName(entry)) + "'";
    return "reading " + what + " made no progress within readTimeout=" + readTimeout
        + " (a FIFO swapped in, or a stalled file system); the last good snapshot is kept";
  }

  private String relativeName(Path entry) {
    try {
      Path realRoot = directory.toRealPath();
      if (entry.startsWith(realRoot) && !entry.equals(realRoot)) {
        return realRoot.relativize(entry).toString();
      }
    } catch (IOException e) {
      // Fall through to the file name.
    }
    Path name = entry.getFileName();
    return name == null ? entry.toString() : name.toString();
  }

  private Outcome reloadLocked(SecretsSnapshot previous, Instant now, long budgetNanos)
      throws IOException {
    // The budget is also the wait on each entry: behind another reload it is shorter (never
    // less than half the timeout), so that reload() stays bounded when the mount stalls.
    Scan scan = io.call(() -> reader.read(previous.keys()), budgetNanos);
    if (!scan.absent() && scan.files.isEmpty() && scan.problems.isEmpty()
        && previous.size() > 0) {
      // A mount that held secrets and is now an empty directory was unmounted or is being
      // torn down; no rotation removes every secret. Keep serving the last snapshot.
      return markAbsent(previous, now, "empty (volume unmounted?)");
    }
    if (scan.absent()) {
      return markAbsent(previous, now, scan.notADirectory ? "not a directory (subPath mount?)"
          : scan.absentReason.startsWith("is incomplete") ? scan.absentReason : NOT_MOUNTED);
    }
    if (scan.unsettled && ++consecutiveUnsettled < MAX_UNSETTLED_READS) {
      LOG.debug("{}: a writer is busy ({}); reading again after the quiet period", directory,
          scan.unsettledReason);
      return Outcome.UNSETTLED;
    }
    SnapshotAssembler.Assembly assembly = assembler.assemble(scan, previous, now);
    lastGeneration = scan.generation;
    lastIdentities = scan.layout == MountLayout.FILE_BY_FILE ? scan.identities : null;
    watchPlan = new WatchPlan(scan.layout, List.copyOf(scan.directories));
    reportInvalidFiles(assembly);
    boolean recovered = staleSince != null || failureReason != null;
    lastReloadAt = now;
    lastSuccessAt = now;
    lastResult = ReloadResult.SUCCESS;
    successfulReloads++;
    staleSince = null;
    failureReason = stopped ? failureReason : null;
    if (recovered && previous.revision() > 0 && !stopped) {
      LOG.info("{}: mount readable again; serving fresh content", directory);
    }
    if (assembly.hasChanges() && started) {
      lastChangeAt = now;
      changes++;
    }
    status = buildStatus(stopped ? MountState.STOPPED : MountState.READY, scan.layout,
        assembly.snapshot);
    current = assembly.snapshot;
    if (assembly.hasChanges()) {
      onSwap.accept(assembly);
    }
    if (!assembly.hasChanges()) {
      return Outcome.UNCHANGED;
    }
    if (started) {
      LOG.info("{}: secrets changed (revision {}): added {}, changed {}, removed {}", directory,
          assembly.snapshot.revision(), printable(assembly.added), printable(assembly.changed),
          printable(assembly.removed));
      dispatcher.publish(new SecretsChangedEvent(assembly.added, assembly.changed,
          assembly.removed, previous, assembly.snapshot, now));
    }
    return Outcome.CHANGED;
  }

  private void reportInvalidFiles(SnapshotAssembler.Assembly assembly) {
    for (Map.Entry<String, String> entry : assembly.invalidFiles.entrySet()) {
      if (!entry.getValue().equals(reportedInvalid.get(entry.getKey()))) {
        LOG.warn("{}: file '{}' {}", directory, Names.printable(entry.getKey()), entry.getValue());
      }
    }
    for (String file : reportedInvalid.keySet()) {
      if (!file.startsWith(SHADOWED) && !assembly.invalidFiles.containsKey(file)
          && assembly.snapshot.contains(file)) {
        LOG.info("{}: file '{}' is valid again", directory, Names.printable(file));
      }
    }
    for (String key : assembly.shadowedFields) {
      if (!reportedInvalid.containsKey(SHADOWED + key)) {
        LOG.warn("{}: key '{}' is both a file and a JSON field; the file wins", directory,
            Names.printable(key));
      }
    }
    Map<String, String> reported = new HashMap<>(assembly.invalidFiles);
    for (String key : assembly.shadowedFields) {
      reported.put(SHADOWED + key, "shadowed");
    }
    reportedInvalid = reported;
    invalidFiles = assembly.invalidFiles;
  }

  private static String printable(Set<String> keys) {
    StringBuilder sb = new StringBuilder("[");
    int shown = 0;
    for (String key : new TreeSet<>(keys)) {
      if (shown == 20) {
        sb.append(", ... ").append(keys.size() - shown).append(" more");
        break;
      }
      if (shown++ > 0) {
        sb.append(", ");
      }
      sb.append(Names.printable(key));
    }
    return sb.append(']').toString();
  }

  private MountStatus buildStatus(MountState state, MountLayout layout, SecretsSnapshot snapshot) {
    return new MountStatus(directory, layout, state, snapshot.size(), snapshot.revision(),
        lastResult, lastReloadAt, lastSuccessAt, lastChangeAt, staleSince, failureReason,
        invalidFiles, successfulReloads, failedReloads, changes);
  }

  /** Stops reloading: a reload from now on, or one interrupted now, ends quietly. */
  void beginClose() {
    closed = true;
  }

  /** Stops reloading and the reading thread, waiting for it until the deadline. */
  void close(long deadlineNanos) {
    closed = true;
    io.close(deadlineNanos);
  }

  boolean isClosed() {
    return closed;
  }
}
