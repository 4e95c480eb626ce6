package io.github.mountedsecrets;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Secrets read from a mounted directory, kept current as the directory changes.
 *
 * <pre>{@code
 * try (MountedSecrets secrets = MountedSecrets.builder()
 *         .directory(Path.of("/mnt/secrets-store"))
 *         .build()) {
 *   String password = secrets.get("DB_PASSWORD");
 *   String user = secrets.get("prod-db.username");
 *   Subscription s = secrets.onChange(event -> log(event.changed()));
 * }
 * }</pre>
 *
 * <p>{@link Builder#build()} reads the mount once, synchronously, then watches it with a
 * {@code WatchService} and a fallback poll. Each reload builds a new immutable
 * {@link SecretsSnapshot} and swaps it in; when content changed, listeners receive a
 * {@link SecretsChangedEvent}.
 *
 * <h2>Concurrency</h2>
 *
 * <p>The current snapshot sits in one volatile field. Readers read that field and look up
 * a hash map: they never lock, never wait for a reload and never touch the file system.
 * Reloads are serialized by a lock and run on the instance's reload thread (or on the
 * caller's thread for {@link #reload()}); a reload builds the complete next snapshot before
 * it publishes it with a single write, so a reader sees either the old or the new
 * generation, never a mix. Events are handed to a single event thread in the order the
 * snapshots were published; listeners run there one after the other. Conversion results
 * are cached by key, version and type; after a swap the entries of changed and removed
 * keys are dropped, and a conversion that raced with a swap is dropped again after it is
 * stored, so old values are not retained. {@link #close()} stops both threads and waits
 * for them, except when called from a listener, where it does not wait for itself.
 *
 * <p>Instances are thread-safe. Values never appear in logs, messages or {@code toString()}.
 */
public final class MountedSecrets implements AutoCloseable {
  /** The directory the Secrets Store CSI Driver is conventionally mounted at. */
  public static final Path DEFAULT_DIRECTORY = Path.of("/mnt/secrets-store");
  /** Default fallback poll interval. */
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(30);
  /** Default quiet period that coalesces a burst of file-by-file writes. */
  public static final Duration DEFAULT_QUIET_PERIOD = Duration.ofMillis(100);
  private static final String DEFAULT_DIRECTORY_SETTING = "the builder's directory";
  private static final String DEFAULT_REQUIRE_MOUNT_SETTING = "the builder's requireMount";
  /** Default largest file read, in bytes (1 MiB). */
  public static final long DEFAULT_MAX_FILE_SIZE = 1024 * 1024;
  /** Default deepest directory nesting read. */
  public static final int DEFAULT_MAX_DEPTH = 8;
  /** Default number of typed conversions cached. */
  public static final long DEFAULT_CACHE_MAXIMUM_SIZE = 10_000;

  private static final Logger LOG = LoggerFactory.getLogger(MountedSecrets.class);
  private static final String SHADOWED = "\u0000shadowed:";
  /** Reads in a row that may find a writer busy before the mount is taken as it is. */
  private static final int MAX_UNSETTLED_READS = 10;

  private final Path directory;
  /** How the reader's configuration names the directory, for the missing-mount message. */
  private final String directorySetting;
  /** How the reader's configuration turns requireMount off, for the missing-mount message. */
  private final String requireMountSetting;
  private final Clock clock;
  private final Duration quietPeriod;
  private final MountReader reader;
  private final SnapshotAssembler assembler;
  private final Cache<ConversionKey, Object> conversions;
  private final boolean cacheEnabled;
  private final CopyOnWriteArrayList<Listener> listeners = new CopyOnWriteArrayList<>();
  private final ExecutorService events;
  private final Watcher watcher;
  private final Object reloadLock = new Object();
  private final AtomicBoolean closed = new AtomicBoolean();

  private volatile SecretsSnapshot current;
  private volatile MountStatus status;
  private volatile Thread eventThread;

  // Guarded by reloadLock.
  private Map<String, String> reportedInvalid = Map.of();
  private Map<String, java.util.List<Object>> lastIdentities;
  private String lastGeneration;
  private Instant lastReloadAt;
  private Instant lastSuccessAt;
  private Instant lastChangeAt;
  private Instant staleSince;
  private ReloadResult lastResult = ReloadResult.NONE;
  private String failureReason;
  private long successfulReloads;
  private long failedReloads;
  private long changes;
  private Map<String, String> invalidFiles = Map.of();
  private boolean started;
  private int consecutiveUnsettled;

  private MountedSecrets(Builder builder) {
    this.directory = builder.directory;
    this.directorySetting = builder.directorySetting;
    this.requireMountSetting = builder.requireMountSetting;
    this.clock = builder.clock;
    this.quietPeriod = builder.quietPeriod;
    this.reader = new MountReader(directory, builder.maxFileSize, builder.maxDepth, builder.opener);
    this.assembler = new SnapshotAssembler(directory, builder.flattenJson, builder.trimTrailingNewline);
    this.conversions = Caffeine.newBuilder().maximumSize(builder.cacheMaximumSize).build();
    this.cacheEnabled = builder.cacheMaximumSize > 0;
    this.current = SecretsSnapshot.empty(directory, clock.instant());
    this.status = buildStatus(MountState.MISSING, MountLayout.NONE);
    String threadSuffix = "[" + directory + "]";
    this.events = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
        new LinkedBlockingQueue<>(), runnable -> {
          Thread thread = new Thread(runnable, "mounted-secrets-events" + threadSuffix);
          thread.setDaemon(true);
          eventThread = thread;
          return thread;
        });
    this.watcher = new Watcher(this, directory, builder.pollInterval, quietPeriod, builder.watch,
        "mounted-secrets-reload" + threadSuffix);
  }

  /**
   * Returns a builder with every option at its default.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  private void start(boolean requireMount) {
    if (!Files.isDirectory(directory)) {
      String message = missingMessage(directory, directorySetting, requireMountSetting);
      if (requireMount) {
        throw new MountNotFoundException(directory, message);
      }
      LOG.warn("{}: {} Starting without secrets; the mount is picked up when it appears.",
          directory, message);
      synchronized (reloadLock) {
        failureReason = Files.exists(directory) ? "not a directory" : "not mounted";
        status = buildStatus(MountState.MISSING, MountLayout.NONE);
      }
    } else {
      // Watch before the first read, so that no change between the two goes unnoticed.
      watcher.prepare();
      Outcome outcome = reloadOnce();
      while (outcome == Outcome.UNSETTLED) {
        sleepQuietly(quietPeriod);
        outcome = reloadOnce();
      }
      if (outcome == Outcome.FAILED && requireMount) {
        throw new MountedSecretsException("Secrets mount " + directory
            + " could not be read at startup: " + failureReason);
      }
      if (outcome == Outcome.ABSENT && requireMount) {
        throw new MountNotFoundException(directory,
            missingMessage(directory, directorySetting, requireMountSetting));
      }
      LOG.info("{}: loaded {} keys ({} layout{})", directory, current.size(), current.layout(),
          current.generation().map(g -> ", generation " + g).orElse(""));
    }
    synchronized (reloadLock) {
      started = true;
    }
    watcher.start();
  }

  static String missingMessage(Path directory, String directorySetting, String requireMountSetting) {
    if (Files.exists(directory)) {
      return "Secrets mount " + directory + " is a single file, not a directory. This usually "
          + "means a subPath mount, which never receives rotated content: mount the whole "
          + "volume at a directory (no subPath) and point the library at that directory.";
    }
    return "Secrets mount " + directory + " does not exist. Likely causes: the CSI volume is "
        + "not mounted into this container (check volumeMounts and volumes in the pod spec); "
        + "the volume's mountPath differs from the configured directory (set "
        + directorySetting + " to the mountPath); the volume failed to mount (check 'kubectl "
        + "describe pod' for FailedMount events: SecretProviderClass not found, access denied "
        + "by IAM); or a subPath mount of a single file. To start without the mount and pick it "
        + "up when it appears, set " + requireMountSetting + " to false.";
  }

  // ---------------------------------------------------------------------------------------
  // Reading

  /**
   * Returns the text of a secret.
   *
   * @param key a file name relative to the mount ({@code DB_PASSWORD}), or a field of a JSON
   *     secret file ({@code prod-db.username})
   * @return the value
   * @throws SecretNotFoundException if there is no such key; the message names the mount
   *     and close matches
   * @throws SecretFormatException if the content is not valid UTF-8
   */
  public String get(String key) {
    return current.get(key);
  }

  /**
   * Returns the text of a secret, or empty if there is no such key.
   *
   * @param key the key
   * @return the value, or empty
   * @throws SecretFormatException if the content is not valid UTF-8
   */
  public Optional<String> find(String key) {
    return current.find(key);
  }

  /**
   * Returns a copy of a secret's bytes, exactly as in the file.
   *
   * @param key the key
   * @return a new array
   * @throws SecretNotFoundException if there is no such key
   */
  public byte[] getBytes(String key) {
    return current.bytes(key);
  }

  /**
   * Returns a secret as a new character array, which the caller may clear after use.
   *
   * @param key the key
   * @return a new array
   * @throws SecretNotFoundException if there is no such key
   * @throws SecretFormatException if the content is not valid UTF-8
   */
  public char[] getChars(String key) {
    return current.get(key).toCharArray();
  }

  /**
   * Returns a secret as an int, converting once per version.
   *
   * @param key the key
   * @return the number
   * @throws SecretFormatException if the value is not an int
   */
  public int getInt(String key) {
    return convert(key, Conversion.INT, text -> Conversions.toInt(key, directory, text));
  }

  /**
   * Returns a secret as a long, converting once per version.
   *
   * @param key the key
   * @return the number
   * @throws SecretFormatException if the value is not a long
   */
  public long getLong(String key) {
    return convert(key, Conversion.LONG, text -> Conversions.toLong(key, directory, text));
  }

  /**
   * Returns a secret as a boolean ({@code true/false}, {@code yes/no}, {@code on/off},
   * {@code 1/0}, any case), converting once per version.
   *
   * @param key the key
   * @return the boolean
   * @throws SecretFormatException if the value is none of those words
   */
  public boolean getBoolean(String key) {
    return convert(key, Conversion.BOOLEAN, text -> Conversions.toBoolean(key, directory, text));
  }

  /**
   * Returns a secret as a duration: ISO-8601 ({@code PT30S}) or a number with a unit
   * ({@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 2d}); a bare number is
   * milliseconds. Converted once per version.
   *
   * @param key the key
   * @return the duration
   * @throws SecretFormatException if the value is not a duration
   */
  public Duration getDuration(String key) {
    return convert(key, Conversion.DURATION, text -> Conversions.toDuration(key, directory, text));
  }

  /**
   * Returns a base64-encoded secret decoded (standard or URL-safe alphabet, line breaks
   * allowed). Decoded once per version; each call returns a new copy.
   *
   * @param key the key
   * @return a new array with the decoded bytes
   * @throws SecretFormatException if the value is not base64
   */
  public byte[] getBase64Bytes(String key) {
    byte[] decoded = convert(key, Conversion.BASE64, text -> Conversions.fromBase64(key, directory, text));
    return decoded.clone();
  }

  /**
   * Returns database credentials from a JSON key/value secret (an RDS-managed secret, for
   * example), all read from one snapshot.
   *
   * @param secretKey the key of the JSON secret file, e.g. {@code prod-db}
   * @return the credentials
   * @throws SecretNotFoundException if the username or password field is absent
   * @see DatabaseCredentials#fromJsonSecret(SecretsSnapshot, String)
   */
  public DatabaseCredentials databaseCredentials(String secretKey) {
    SecretsSnapshot snapshot = current;
    return cached(snapshot, "json:" + secretKey,
        () -> DatabaseCredentials.fromJsonSecret(snapshot, secretKey));
  }

  /**
   * Returns database credentials from two keys, both read from one snapshot.
   *
   * @param usernameKey the key holding the username, e.g. {@code DB_USER}
   * @param passwordKey the key holding the password, e.g. {@code DB_PASSWORD}
   * @return the credentials
   * @throws SecretNotFoundException if either key is absent
   */
  public DatabaseCredentials databaseCredentials(String usernameKey, String passwordKey) {
    SecretsSnapshot snapshot = current;
    return cached(snapshot, "keys:" + usernameKey + "\u0000" + passwordKey,
        () -> DatabaseCredentials.fromKeys(snapshot, usernameKey, passwordKey));
  }

  private DatabaseCredentials cached(SecretsSnapshot snapshot, String id,
      java.util.function.Supplier<DatabaseCredentials> reader) {
    ConversionKey cacheKey = new ConversionKey(id, snapshot.revision(), Conversion.CREDENTIALS);
    if (!cacheEnabled) {
      return reader.get();
    }
    DatabaseCredentials credentials =
        (DatabaseCredentials) conversions.get(cacheKey, k -> reader.get());
    if (current.revision() != snapshot.revision()) {
      conversions.invalidate(cacheKey);
    }
    return credentials;
  }

  /**
   * Returns the current snapshot: every value of one consistent generation of the mount.
   *
   * @return the current snapshot
   */
  public SecretsSnapshot snapshot() {
    return current;
  }

  /**
   * Returns the mount directory.
   *
   * @return the directory
   */
  public Path directory() {
    return directory;
  }

  /**
   * Returns a report on the mount for health checks and metrics.
   *
   * @return the current status
   */
  public MountStatus status() {
    return status;
  }

  @SuppressWarnings("unchecked")
  private <T> T convert(String key, Conversion conversion, Function<String, T> function) {
    SecretsSnapshot snapshot = current;
    SecretValue value = snapshot.require(key);
    String text = snapshot.text(key, value);
    ConversionKey cacheKey = new ConversionKey(key, value.version, conversion);
    if (!cacheEnabled) {
      return function.apply(text);
    }
    T result = (T) conversions.get(cacheKey, k -> function.apply(text));
    if (current.value(key) != value && current != snapshot) {
      SecretValue now = current.value(key);
      if (now == null || now.version != value.version) {
        conversions.invalidate(cacheKey);
      }
    }
    return result;
  }

  /** Cache key of a conversion: key, version and type. */
  private record ConversionKey(String key, long version, Conversion conversion) {}

  private enum Conversion { INT, LONG, BOOLEAN, DURATION, BASE64, CREDENTIALS }

  // ---------------------------------------------------------------------------------------
  // Subscribing

  /**
   * Subscribes to every change.
   *
   * @param listener called on the event thread after each change
   * @return a handle whose {@code close()} unsubscribes
   */
  public Subscription onChange(SecretsChangeListener listener) {
    return subscribe(event -> true, listener);
  }

  /**
   * Subscribes to changes of one key: the listener is called when the key is added,
   * changed or removed.
   *
   * @param key the key
   * @param listener called on the event thread
   * @return a handle whose {@code close()} unsubscribes
   */
  public Subscription onChange(String key, SecretsChangeListener listener) {
    Objects.requireNonNull(key, "key");
    return subscribe(event -> event.affects(key), listener);
  }

  /**
   * Subscribes to changes of any key that starts with a prefix, such as {@code prod-db.}.
   *
   * @param prefix the key prefix
   * @param listener called on the event thread
   * @return a handle whose {@code close()} unsubscribes
   */
  public Subscription onChangeUnder(String prefix, SecretsChangeListener listener) {
    Objects.requireNonNull(prefix, "prefix");
    return subscribe(event -> event.affectsPrefix(prefix), listener);
  }

  private Subscription subscribe(Predicate<SecretsChangedEvent> filter,
      SecretsChangeListener listener) {
    Objects.requireNonNull(listener, "listener");
    Listener entry = new Listener(filter, listener);
    listeners.add(entry);
    return () -> listeners.remove(entry);
  }

  private static final class Listener {
    final Predicate<SecretsChangedEvent> filter;
    final SecretsChangeListener listener;

    Listener(Predicate<SecretsChangedEvent> filter, SecretsChangeListener listener) {
      this.filter = filter;
      this.listener = listener;
    }
  }

  private void deliver(SecretsChangedEvent event) {
    for (Listener entry : listeners) {
      try {
        if (entry.filter.test(event)) {
          entry.listener.onChange(event);
        }
      } catch (RuntimeException | Error e) {
        // The exception's message could quote a value the listener handled, so only its type
        // is logged at WARN; the full stack trace goes to DEBUG.
        LOG.warn("{}: change listener {} threw {}; other listeners still run", directory,
            entry.listener.getClass().getName(), e.getClass().getName());
        if (LOG.isDebugEnabled()) {
          LOG.debug("{}: where the change listener failed", directory, withoutMessages(e));
        }
        if (e instanceof VirtualMachineError) {
          throw (VirtualMachineError) e;
        }
      }
    }
  }

  /**
   * Returns a copy of a throwable chain that keeps types and stack frames but drops every
   * message, since a message may quote a value the failing code handled.
   */
  static Throwable withoutMessages(Throwable e) {
    Throwable copy = new MessageFreeThrowable(e.getClass().getName(),
        e.getCause() == null || e.getCause() == e ? null : withoutMessages(e.getCause()));
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

  // ---------------------------------------------------------------------------------------
  // Reloading

  /** What one reload attempt found. */
  enum Outcome { CHANGED, UNCHANGED, UNSETTLED, ABSENT, FAILED, CLOSED }

  /**
   * Reads the mount now, on the calling thread, and publishes a change event if anything
   * changed. The watcher does this by itself; call it when you know the mount changed.
   * When a plain-file writer is caught in the middle of a rotation, nothing is published and
   * false is returned; the watcher reads again after the quiet period.
   *
   * @return true if this call found changed content; false if nothing changed, the mount
   *     could not be read (see {@link #status()}), or a writer was busy
   */
  public boolean reload() {
    return reloadOnce() == Outcome.CHANGED;
  }

  /** Records that the mount is gone (or empty, or a file); the last snapshot stays. */
  private Outcome markAbsent(SecretsSnapshot previous, Instant now, String reason) {
    // Called under reloadLock.
    lastReloadAt = now;
    boolean first = !reason.equals(failureReason);
    failureReason = reason;
    lastGeneration = null;
    lastIdentities = null;
    if (previous.revision() > 0) {
      if (staleSince == null) {
        staleSince = now;
      }
      status = buildStatus(MountState.STALE, previous.layout());
      if (first) {
        LOG.warn("{}: mount {}; serving the last snapshot (revision {}, loaded {}) until it "
            + "comes back", directory, reason, previous.revision(), previous.loadedAt());
      }
    } else {
      status = buildStatus(MountState.MISSING, MountLayout.NONE);
    }
    return Outcome.ABSENT;
  }

  /**
   * Reads the mount once. When a writer seems busy (plain-file layout), returns
   * {@link Outcome#UNSETTLED} without publishing, unless that happened
   * {@value #MAX_UNSETTLED_READS} times in a row: then what is there is taken as it is.
   */
  Outcome reloadOnce() {
    synchronized (reloadLock) {
      if (closed.get()) {
        return Outcome.CLOSED;
      }
      SecretsSnapshot previous = current;
      Instant now = clock.instant();
      MountReader.Scan scan;
      try {
        scan = reader.read(previous.keys());
      } catch (java.io.IOException | RuntimeException e) {
        if (!Files.exists(directory, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          // The mount went away while it was being read (a volume torn down): report it as
          // gone, as the next read would, not as the file that vanished under the reader.
          return markAbsent(previous, now, "not mounted");
        }
        lastReloadAt = now;
        lastResult = ReloadResult.FAILURE;
        failedReloads++;
        String reason = MountReader.reason(e instanceof java.io.IOException
            ? (java.io.IOException) e : new java.io.IOException(e.getClass().getSimpleName()));
        if (e.getMessage() != null && !(e instanceof java.nio.file.FileSystemException)
            && e instanceof java.io.IOException) {
          reason = e.getMessage(); // our own messages, which never quote content
        }
        boolean first = failureReason == null || !failureReason.equals(reason);
        failureReason = reason;
        if (staleSince == null && previous.revision() > 0) {
          staleSince = now;
        }
        status = buildStatus(previous.revision() > 0 ? MountState.STALE : MountState.MISSING,
            previous.layout());
        if (first) {
          LOG.warn("{}: reload failed, keeping the last good snapshot (revision {}): {}",
              directory, previous.revision(), reason);
        }
        return Outcome.FAILED;
      }
      if (!scan.absent() && scan.files.isEmpty() && scan.problems.isEmpty()
          && previous.size() > 0) {
        // A mount that held secrets and is now an empty directory was unmounted or is being
        // torn down; no rotation removes every secret. Keep serving the last snapshot.
        scan.absentReason = "empty";
      }
      if (scan.absent()) {
        return markAbsent(previous, now, scan.notADirectory ? "not a directory (subPath mount?)"
            : scan.absentReason.equals("empty") ? "empty (volume unmounted?)" : "not mounted");
      }
      if (scan.unsettled && ++consecutiveUnsettled < MAX_UNSETTLED_READS) {
        LOG.debug("{}: a writer is busy ({}); reading again after the quiet period", directory,
            scan.unsettledReason);
        return Outcome.UNSETTLED;
      }
      consecutiveUnsettled = 0;
      SnapshotAssembler.Assembly assembly = assembler.assemble(scan, previous, now);
      lastGeneration = scan.generation;
      lastIdentities = scan.layout == MountLayout.FILE_BY_FILE ? scan.identities : null;
      watcher.watchDirectories(scan.layout, scan.directories);
      reportInvalidFiles(assembly);
      boolean recovered = staleSince != null || failureReason != null;
      lastReloadAt = now;
      lastSuccessAt = now;
      lastResult = ReloadResult.SUCCESS;
      successfulReloads++;
      staleSince = null;
      failureReason = null;
      if (recovered && previous.revision() > 0) {
        LOG.info("{}: mount readable again; serving fresh content", directory);
      }
      if (assembly.hasChanges() && started) {
        lastChangeAt = now;
        changes++;
      }
      // Status first: whoever sees the new values also sees the state that goes with them.
      status = buildStatus(MountState.READY, scan.layout, assembly.snapshot);
      current = assembly.snapshot;
      if (assembly.hasChanges()) {
        conversions.asMap().keySet().removeIf(k -> k.conversion() == Conversion.CREDENTIALS
            || assembly.changed.contains(k.key()) || assembly.removed.contains(k.key()));
      }
      if (!assembly.hasChanges()) {
        return Outcome.UNCHANGED;
      }
      if (started) {
        LOG.info("{}: secrets changed (revision {}): added {}, changed {}, removed {}", directory,
            assembly.snapshot.revision(), printable(assembly.added), printable(assembly.changed),
            printable(assembly.removed));
        publish(new SecretsChangedEvent(assembly.added, assembly.changed, assembly.removed,
            previous, assembly.snapshot, now));
      }
      return Outcome.CHANGED;
    }
  }

  private void publish(SecretsChangedEvent event) {
    if (listeners.isEmpty()) {
      return;
    }
    try {
      events.execute(() -> deliver(event));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      LOG.debug("{}: closed; change event not delivered", directory);
    }
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
    java.util.Map<String, String> reported = new java.util.HashMap<>(assembly.invalidFiles);
    for (String key : assembly.shadowedFields) {
      reported.put(SHADOWED + key, "shadowed");
    }
    reportedInvalid = reported;
    invalidFiles = assembly.invalidFiles;
  }

  private static String printable(Set<String> keys) {
    StringBuilder sb = new StringBuilder("[");
    int shown = 0;
    for (String key : new java.util.TreeSet<>(keys)) {
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

  private MountStatus buildStatus(MountState state, MountLayout layout) {
    return buildStatus(state, layout, current);
  }

  private MountStatus buildStatus(MountState state, MountLayout layout, SecretsSnapshot snapshot) {
    return new MountStatus(directory, layout, state, snapshot.size(), snapshot.revision(),
        lastResult, lastReloadAt, lastSuccessAt, lastChangeAt, staleSince, failureReason,
        invalidFiles, successfulReloads, failedReloads, changes);
  }

  // Used by the watcher, on its thread.

  /** Returns what the watcher must compare to decide whether to reload. */
  String lastGeneration() {
    synchronized (reloadLock) {
      return lastGeneration;
    }
  }

  Map<String, java.util.List<Object>> lastIdentities() {
    synchronized (reloadLock) {
      return lastIdentities;
    }
  }

  MountReader reader() {
    return reader;
  }

  boolean isClosed() {
    return closed.get();
  }

  /**
   * Stops watching, stops the reload and event threads, and waits for them. Events not yet
   * delivered are dropped. Calling it again does nothing. Values read earlier stay usable.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    watcher.stop();
    events.shutdown();
    if (Thread.currentThread() != eventThread) {
      try {
        if (!events.awaitTermination(5, TimeUnit.SECONDS)) {
          events.shutdownNow();
          LOG.warn("{}: a change listener did not finish within 5 s of close(); interrupted it",
              directory);
        }
        // The executor counts as terminated while its worker is still on its way out: wait
        // for the thread itself, so that no thread of this instance is alive after close().
        Thread thread = eventThread;
        if (thread != null) {
          thread.join(TimeUnit.SECONDS.toMillis(1));
        }
      } catch (InterruptedException e) {
        events.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
    LOG.debug("{}: closed", directory);
  }

  @Override
  public String toString() {
    return "MountedSecrets[mount=" + directory + ", revision=" + current.revision() + ", keys="
        + current.size() + ", state=" + status.state() + "]";
  }

  private static void sleepQuietly(Duration duration) {
    try {
      Thread.sleep(Math.max(1, duration.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---------------------------------------------------------------------------------------

  /**
   * Configures and builds a {@link MountedSecrets}. Every method checks its argument at
   * once and names the option and the value when it refuses one.
   */
  public static final class Builder {
    private Path directory = DEFAULT_DIRECTORY;
    private Duration pollInterval = DEFAULT_POLL_INTERVAL;
    private Duration quietPeriod = DEFAULT_QUIET_PERIOD;
    private boolean watch = true;
    private boolean flattenJson = true;
    private boolean trimTrailingNewline = true;
    private long maxFileSize = DEFAULT_MAX_FILE_SIZE;
    private int maxDepth = DEFAULT_MAX_DEPTH;
    private boolean requireMount = true;
    private String directorySetting = DEFAULT_DIRECTORY_SETTING;
    private String requireMountSetting = DEFAULT_REQUIRE_MOUNT_SETTING;
    private long cacheMaximumSize = DEFAULT_CACHE_MAXIMUM_SIZE;
    private Clock clock = Clock.systemUTC();
    private MountReader.Opener opener = Files::newInputStream;

    private Builder() {}

    /**
     * Sets the mount directory. Default {@code /mnt/secrets-store}.
     *
     * @param directory the directory the secrets volume is mounted at
     * @return this builder
     */
    public Builder directory(Path directory) {
      this.directory = Objects.requireNonNull(directory, "directory must not be null");
      return this;
    }

    /**
     * Sets how often the mount is checked even without a file-system event. Default 30 s.
     * A check of the atomic-writer layout costs one {@code readlink}.
     *
     * @param pollInterval a positive duration
     * @return this builder
     */
    public Builder pollInterval(Duration pollInterval) {
      Objects.requireNonNull(pollInterval, "pollInterval must not be null");
      if (pollInterval.isNegative() || pollInterval.isZero()) {
        throw new IllegalArgumentException("pollInterval must be positive, but was " + pollInterval);
      }
      this.pollInterval = pollInterval;
      return this;
    }

    /**
     * Sets how long the plain-file layout must stay unchanged before it is read, so that a
     * rotation that replaces several files one by one is read as one change. Default 100 ms.
     *
     * @param quietPeriod zero or a positive duration of at most one minute
     * @return this builder
     */
    public Builder quietPeriod(Duration quietPeriod) {
      Objects.requireNonNull(quietPeriod, "quietPeriod must not be null");
      if (quietPeriod.isNegative() || quietPeriod.compareTo(Duration.ofMinutes(1)) > 0) {
        throw new IllegalArgumentException(
            "quietPeriod must be between 0 and 1 minute, but was " + quietPeriod);
      }
      this.quietPeriod = quietPeriod;
      return this;
    }

    /**
     * Sets whether file-system events are watched; without them only the poll notices
     * changes. Default true.
     *
     * @param watch whether to use a {@code WatchService}
     * @return this builder
     */
    public Builder watch(boolean watch) {
      this.watch = watch;
      return this;
    }

    /**
     * Sets whether files holding a JSON object also yield {@code file.field} keys. Default
     * true.
     *
     * @param flattenJson whether to flatten JSON objects
     * @return this builder
     */
    public Builder flattenJson(boolean flattenJson) {
      this.flattenJson = flattenJson;
      return this;
    }

    /**
     * Sets whether one trailing newline is trimmed from single-line text values (as
     * {@code kubectl create secret --from-file} often leaves). Multi-line values such as PEM
     * and bytes are never changed. Default true.
     *
     * @param trimTrailingNewline whether to trim
     * @return this builder
     */
    public Builder trimTrailingNewline(boolean trimTrailingNewline) {
      this.trimTrailingNewline = trimTrailingNewline;
      return this;
    }

    /**
     * Sets the largest file read, in bytes; larger files are reported and skipped. Default
     * 1 MiB.
     *
     * @param maxFileSize from 1 to 2,147,483,631 bytes
     * @return this builder
     */
    public Builder maxFileSize(long maxFileSize) {
      if (maxFileSize <= 0 || maxFileSize > Integer.MAX_VALUE - 16L) {
        throw new IllegalArgumentException(
            "maxFileSize must be between 1 and 2147483631 bytes, but was " + maxFileSize);
      }
      this.maxFileSize = maxFileSize;
      return this;
    }

    /**
     * Sets the deepest directory nesting read ({@code a/b/c} is depth 3). Default 8.
     *
     * @param maxDepth from 1 to 64
     * @return this builder
     */
    public Builder maxDepth(int maxDepth) {
      if (maxDepth < 1 || maxDepth > 64) {
        throw new IllegalArgumentException("maxDepth must be between 1 and 64, but was " + maxDepth);
      }
      this.maxDepth = maxDepth;
      return this;
    }

    /**
     * Sets whether {@link #build()} fails when the directory does not exist. When false, the
     * instance starts empty and picks the mount up when it appears. Default true.
     *
     * @param requireMount whether a missing mount fails startup
     * @return this builder
     */
    public Builder requireMount(boolean requireMount) {
      this.requireMount = requireMount;
      return this;
    }

    /**
     * Names the two settings that the message of a missing mount tells the reader to change,
     * as the application's configuration spells them, so that the message can be followed as
     * it is. Frameworks pass their property names: the Spring Boot starter
     * {@code mounted-secrets.directory} and {@code mounted-secrets.require-mount}, the Quarkus
     * extension {@code quarkus.mounted-secrets.directory} and
     * {@code quarkus.mounted-secrets.require-mount}. Default: this builder's
     * {@code directory} and {@code requireMount}.
     *
     * <p>The message reads "... (set <i>directorySetting</i> to the mountPath) ... set
     * <i>requireMountSetting</i> to false."
     *
     * @param directorySetting the name of the setting that holds the directory
     * @param requireMountSetting the name of the setting that holds {@link #requireMount}
     * @return this builder
     */
    public Builder settingNames(String directorySetting, String requireMountSetting) {
      this.directorySetting = requireSettingName("directorySetting", directorySetting);
      this.requireMountSetting = requireSettingName("requireMountSetting", requireMountSetting);
      return this;
    }

    private static String requireSettingName(String option, String name) {
      Objects.requireNonNull(name, option + " must not be null");
      if (name.isBlank()) {
        throw new IllegalArgumentException(option + " must not be blank");
      }
      return name;
    }

    /**
     * Sets how many typed conversions (numbers, durations, decoded base64, credentials) are
     * cached. Default 10,000; 0 disables the cache.
     *
     * @param cacheMaximumSize zero or more entries
     * @return this builder
     */
    public Builder cacheMaximumSize(long cacheMaximumSize) {
      if (cacheMaximumSize < 0) {
        throw new IllegalArgumentException(
            "cacheMaximumSize must not be negative, but was " + cacheMaximumSize);
      }
      this.cacheMaximumSize = cacheMaximumSize;
      return this;
    }

    /**
     * Sets the clock for load and change timestamps. Default the system UTC clock.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock must not be null");
      return this;
    }

    Builder opener(MountReader.Opener opener) {
      this.opener = Objects.requireNonNull(opener, "opener must not be null");
      return this;
    }

    /**
     * Reads the mount and starts watching it.
     *
     * @return a running instance; close it to stop its threads
     * @throws MountNotFoundException if the mount is required and absent or not a directory
     * @throws MountedSecretsException if the mount is required and cannot be read
     */
    public MountedSecrets build() {
      MountedSecrets secrets = new MountedSecrets(this);
      try {
        secrets.start(requireMount);
      } catch (RuntimeException e) {
        secrets.close();
        throw e;
      }
      return secrets;
    }

    @Override
    public String toString() {
      return "MountedSecrets.Builder[directory=" + directory + ", pollInterval=" + pollInterval
          + ", quietPeriod=" + quietPeriod + ", watch=" + watch + ", flattenJson=" + flattenJson
          + ", trimTrailingNewline=" + trimTrailingNewline + ", maxFileSize=" + maxFileSize
          + ", maxDepth=" + maxDepth + ", requireMount=" + requireMount + ", cacheMaximumSize="
          + cacheMaximumSize + "]";
    }
  }

}
