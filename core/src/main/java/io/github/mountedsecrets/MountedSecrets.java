package io.github.mountedsecrets;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
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

  /** Default longest wait for one read of the mount. */
  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(5);
  /** Default most fields one JSON file yields. */
  public static final int DEFAULT_MAX_JSON_KEYS_PER_FILE = 1_000;
  /** Default most fields all JSON files of a mount yield together. */
  public static final int DEFAULT_MAX_JSON_KEYS = 10_000;
  /** Default deepest nesting of a JSON file that is flattened. */
  public static final int DEFAULT_MAX_JSON_DEPTH = 32;
  private static final int CLOSE_TIMEOUT_SECONDS = 5;
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(CLOSE_TIMEOUT_SECONDS);

  private static final Logger LOG = LoggerFactory.getLogger(MountedSecrets.class);

  private final Path directory;
  /** How the reader's configuration names the directory, for the missing-mount message. */
  private final String directorySetting;
  /** How the reader's configuration turns requireMount off, for the missing-mount message. */
  private final String requireMountSetting;
  private final Duration quietPeriod;
  private final Cache<ConversionKey, Object> conversions;
  private final boolean cacheEnabled;
  private final Dispatcher dispatcher;
  private final Reloader reloader;
  private final Watcher watcher;
  private final AtomicBoolean closed = new AtomicBoolean();

  private MountedSecrets(Builder builder) {
    this.directory = builder.directory;
    this.directorySetting = builder.directorySetting;
    this.requireMountSetting = builder.requireMountSetting;
    this.quietPeriod = builder.quietPeriod;
    this.conversions = Caffeine.newBuilder().maximumSize(builder.cacheMaximumSize).build();
    this.cacheEnabled = builder.cacheMaximumSize > 0;
    String threadSuffix = "[" + directory + "]";
    this.dispatcher = new Dispatcher(directory, "mounted-secrets-events" + threadSuffix);
    MountReader reader = new MountReader(directory, builder.maxFileSize, builder.maxDepth,
        builder.openCheck);
    SnapshotAssembler assembler = new SnapshotAssembler(directory, builder.flattenJson,
        builder.trimTrailingNewline, builder.jsonLimits());
    this.reloader = new Reloader(directory, builder.clock, builder.readTimeout, reader, assembler,
        dispatcher, "mounted-secrets-io" + threadSuffix, this::dropConversions);
    this.watcher = new Watcher(reloader, directory, builder.pollInterval, quietPeriod,
        builder.watch, "mounted-secrets-reload" + threadSuffix);
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
      reloader.markMissingAtStart();
    } else {
      // Watch before the first read, so that no change between the two goes unnoticed.
      watcher.prepare();
      Reloader.Outcome outcome = reloader.reloadOnce();
      while (outcome == Reloader.Outcome.UNSETTLED) {
        sleepQuietly(quietPeriod);
        outcome = reloader.reloadOnce();
      }
      if (outcome == Reloader.Outcome.FAILED && requireMount) {
        throw new MountedSecretsException("Secrets mount " + directory
            + " could not be read at startup: " + reloader.failureReason());
      }
      if (outcome == Reloader.Outcome.ABSENT && requireMount) {
        String reason = reloader.failureReason();
        throw reason != null && reason.startsWith("is incomplete")
            ? new MountedSecretsException("Secrets mount " + directory + " " + reason)
            : new MountNotFoundException(directory,
                missingMessage(directory, directorySetting, requireMountSetting));
      }
      SecretsSnapshot current = reloader.current();
      LOG.info("{}: loaded {} keys ({} layout{})", directory, current.size(), current.layout(),
          current.generation().map(g -> ", generation " + g).orElse(""));
    }
    reloader.markStarted();
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

  /** The reload state machine, for tests of this package. */
  Reloader reloader() {
    return reloader;
  }

  /** Drops the cached conversions of keys a swap changed or removed. */
  private void dropConversions(SnapshotAssembler.Assembly assembly) {
    conversions.asMap().keySet().removeIf(k -> k.conversion() == Conversion.CREDENTIALS
        || assembly.changed.contains(k.key()) || assembly.removed.contains(k.key()));
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
    return reloader.current().get(key);
  }

  /**
   * Returns the text of a secret, or empty if there is no such key.
   *
   * @param key the key
   * @return the value, or empty
   * @throws SecretFormatException if the content is not valid UTF-8
   */
  public Optional<String> find(String key) {
    return reloader.current().find(key);
  }

  /**
   * Returns a copy of a secret's bytes, exactly as in the file.
   *
   * @param key the key
   * @return a new array
   * @throws SecretNotFoundException if there is no such key
   */
  public byte[] getBytes(String key) {
    return reloader.current().bytes(key);
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
    return reloader.current().get(key).toCharArray();
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
    SecretsSnapshot snapshot = reloader.current();
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
    SecretsSnapshot snapshot = reloader.current();
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
    if (reloader.current().revision() != snapshot.revision()) {
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
    return reloader.current();
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
    return reloader.status().withListenerFailures(dispatcher.listenerFailures());
  }

  @SuppressWarnings("unchecked")
  private <T> T convert(String key, Conversion conversion, Function<String, T> function) {
    SecretsSnapshot snapshot = reloader.current();
    SecretValue value = snapshot.require(key);
    String text = snapshot.text(key, value);
    ConversionKey cacheKey = new ConversionKey(key, value.version, conversion);
    if (!cacheEnabled) {
      return function.apply(text);
    }
    T result = (T) conversions.get(cacheKey, k -> function.apply(text));
    SecretsSnapshot now0 = reloader.current();
    if (now0.value(key) != value && now0 != snapshot) {
      SecretValue now = now0.value(key);
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
    return dispatcher.subscribe(filter, listener);
  }

  // ---------------------------------------------------------------------------------------
  // Reloading

  /**
   * Reads the mount now, on the calling thread, and publishes a change event if anything
   * changed. The watcher does this by itself; call it when you know the mount changed.
   * When a plain-file writer is caught in the middle of a rotation, nothing is published and
   * false is returned; the watcher reads again after the quiet period. The read itself is
   * bounded by {@link Builder#readTimeout(Duration)}.
   *
   * @return true if this call found changed content; false if nothing changed, the mount
   *     could not be read (see {@link #status()}), or a writer was busy
   */
  public boolean reload() {
    return reloader.reloadOnce() == Reloader.Outcome.CHANGED;
  }

  /**
   * Stops watching, stops the reload, reading and event threads, and waits for them, for at
   * most about {@value #CLOSE_TIMEOUT_SECONDS} seconds in all. Events not yet delivered are
   * dropped. Calling it again does nothing. Values read earlier stay usable. A listener that
   * is still running when the time is up is interrupted; one that ignores interruption keeps
   * its (daemon) thread until it returns, and a warning says so. Called from a listener, it
   * does not wait for the listener itself.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    long deadline = System.nanoTime() + CLOSE_TIMEOUT.toNanos();
    reloader.close(deadline);
    watcher.stop(deadline);
    dispatcher.close(deadline);
    LOG.debug("{}: closed", directory);
  }

  @Override
  public String toString() {
    SecretsSnapshot current = reloader.current();
    return "MountedSecrets[mount=" + directory + ", revision=" + current.revision() + ", keys="
        + current.size() + ", state=" + reloader.status().state() + "]";
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
    private Duration readTimeout = DEFAULT_READ_TIMEOUT;
    private int maxJsonKeysPerFile = DEFAULT_MAX_JSON_KEYS_PER_FILE;
    private int maxJsonKeys = DEFAULT_MAX_JSON_KEYS;
    private int maxJsonDepth = DEFAULT_MAX_JSON_DEPTH;
    private MountReader.OpenCheck openCheck = relative -> { };

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

    /**
     * Sets the longest wait for one read of the mount. A read that takes longer (a FIFO
     * swapped in for a file, a stalled file system) fails that reload with a reason naming
     * the entry; the last good snapshot stays and the next reload starts afresh. Default 5 s.
     *
     * @param readTimeout from 1 ms to 10 minutes
     * @return this builder
     */
    public Builder readTimeout(Duration readTimeout) {
      Objects.requireNonNull(readTimeout, "readTimeout must not be null");
      if (readTimeout.compareTo(Duration.ofMillis(1)) < 0
          || readTimeout.compareTo(Duration.ofMinutes(10)) > 0) {
        throw new IllegalArgumentException(
            "readTimeout must be between 1 ms and 10 minutes, but was " + readTimeout);
      }
      this.readTimeout = readTimeout;
      return this;
    }

    /**
     * Sets the most fields one JSON file yields as {@code file.field} keys. A file with more
     * is served as raw text only, and reported. Default 1,000.
     *
     * @param maxJsonKeysPerFile from 1 to 1,000,000
     * @return this builder
     */
    public Builder maxJsonKeysPerFile(int maxJsonKeysPerFile) {
      this.maxJsonKeysPerFile = requireRange("maxJsonKeysPerFile", maxJsonKeysPerFile, 1,
          1_000_000);
      return this;
    }

    /**
     * Sets the most fields all JSON files of the mount yield together. Files whose fields
     * would pass the limit are served as raw text only, and reported. Default 10,000.
     *
     * @param maxJsonKeys from 1 to 10,000,000
     * @return this builder
     */
    public Builder maxJsonKeys(int maxJsonKeys) {
      this.maxJsonKeys = requireRange("maxJsonKeys", maxJsonKeys, 1, 10_000_000);
      return this;
    }

    /**
     * Sets the deepest nesting of objects and arrays flattened in a JSON file. A deeper file
     * is served as raw text only, and reported. Default 32.
     *
     * @param maxJsonDepth from 1 to 512
     * @return this builder
     */
    public Builder maxJsonDepth(int maxJsonDepth) {
      this.maxJsonDepth = requireRange("maxJsonDepth", maxJsonDepth, 1, 512);
      return this;
    }

    private static int requireRange(String option, int value, int min, int max) {
      if (value < min || value > max) {
        throw new IllegalArgumentException(option + " must be between " + min + " and " + max
            + ", but was " + value);
      }
      return value;
    }

    SnapshotAssembler.JsonLimits jsonLimits() {
      return new SnapshotAssembler.JsonLimits(maxJsonKeysPerFile, maxJsonKeys, maxJsonDepth);
    }

    Builder openCheck(MountReader.OpenCheck openCheck) {
      this.openCheck = Objects.requireNonNull(openCheck, "openCheck must not be null");
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
          + cacheMaximumSize + ", readTimeout=" + readTimeout + ", maxJsonKeysPerFile="
          + maxJsonKeysPerFile + ", maxJsonKeys=" + maxJsonKeys + ", maxJsonDepth=" + maxJsonDepth
          + "]";
    }
  }

}
