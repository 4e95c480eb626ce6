package io.github.mountedsecrets;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
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
  public static final Path DEFAULT_DIRECTORY = (Path) MountedSecretsOption.DIRECTORY.defaultValue();
  /** Default fallback poll interval. */
  public static final Duration DEFAULT_POLL_INTERVAL =
      (Duration) MountedSecretsOption.POLL_INTERVAL.defaultValue();
  /** Default quiet period that coalesces a burst of file-by-file writes. */
  public static final Duration DEFAULT_QUIET_PERIOD =
      (Duration) MountedSecretsOption.QUIET_PERIOD.defaultValue();
  /** Default largest file read, in bytes (1 MiB). */
  public static final long DEFAULT_MAX_FILE_SIZE =
      (Long) MountedSecretsOption.MAX_FILE_SIZE.defaultValue();
  /** Default deepest directory nesting read. */
  public static final int DEFAULT_MAX_DEPTH = (Integer) MountedSecretsOption.MAX_DEPTH.defaultValue();
  /** Default number of typed conversions cached. */
  public static final long DEFAULT_CACHE_MAXIMUM_SIZE =
      (Long) MountedSecretsOption.CACHE_MAXIMUM_SIZE.defaultValue();

  /** Default longest wait for one read of the mount. */
  public static final Duration DEFAULT_READ_TIMEOUT =
      (Duration) MountedSecretsOption.READ_TIMEOUT.defaultValue();
  /** Default most fields one JSON file yields. */
  public static final int DEFAULT_MAX_JSON_KEYS_PER_FILE =
      (Integer) MountedSecretsOption.MAX_JSON_KEYS_PER_FILE.defaultValue();
  /** Default most fields all JSON files of a mount yield together. */
  public static final int DEFAULT_MAX_JSON_KEYS =
      (Integer) MountedSecretsOption.MAX_JSON_KEYS.defaultValue();
  /** Default deepest nesting of a JSON file that is flattened. */
  public static final int DEFAULT_MAX_JSON_DEPTH =
      (Integer) MountedSecretsOption.MAX_JSON_DEPTH.defaultValue();
  private static final int CLOSE_TIMEOUT_SECONDS = 5;
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(CLOSE_TIMEOUT_SECONDS);

  private static final Logger LOG = LoggerFactory.getLogger(MountedSecrets.class);

  private final Path directory;
  private final Duration quietPeriod;
  private final ConversionCache conversions;
  private final Dispatcher dispatcher;
  private final Reloader reloader;
  private final Watcher watcher;
  private final AtomicBoolean closed = new AtomicBoolean();

  private MountedSecrets(Builder builder) {
    this.directory = builder.directory;
    this.quietPeriod = builder.quietPeriod;
    String threadSuffix = "[" + directory + "]";
    this.dispatcher = new Dispatcher(directory, "mounted-secrets-events" + threadSuffix);
    MountReader reader = new MountReader(directory, builder.readLimits(), builder.openCheck);
    SnapshotAssembler assembler = new SnapshotAssembler(directory, builder.flattenJson,
        builder.trimTrailingNewline, builder.jsonLimits());
    this.reloader = new Reloader(directory, builder.clock, builder.readTimeout, reader, assembler,
        dispatcher, "mounted-secrets-io" + threadSuffix, assembly -> conversions().dropConversions(assembly));
    this.conversions = new ConversionCache(reloader::current, builder.cacheMaximumSize);
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

  private ConversionCache conversions() {
    return conversions;
  }

  /** The reload state machine, for tests of this package. */
  Reloader reloader() {
    return reloader;
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
    return conversions.convert(key, ConversionCache.Conversion.INT, text -> Conversions.toInt(key, directory, text));
  }

  /**
   * Returns a secret as a long, converting once per version.
   *
   * @param key the key
   * @return the number
   * @throws SecretFormatException if the value is not a long
   */
  public long getLong(String key) {
    return conversions.convert(key, ConversionCache.Conversion.LONG, text -> Conversions.toLong(key, directory, text));
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
    return conversions.convert(key, ConversionCache.Conversion.BOOLEAN, text -> Conversions.toBoolean(key, directory, text));
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
    return conversions.convert(key, ConversionCache.Conversion.DURATION, text -> Conversions.toDuration(key, directory, text));
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
    byte[] decoded = conversions.convert(key, ConversionCache.Conversion.BASE64, text -> Conversions.fromBase64(key, directory, text));
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
    return conversions.cached(snapshot, "json:" + secretKey,
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
    return conversions.cached(snapshot, "keys:" + usernameKey + "\u0000" + passwordKey,
        () -> DatabaseCredentials.fromKeys(snapshot, usernameKey, passwordKey));
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
    // Closed first, so that the watcher and a reload in progress take what follows (an
    // interrupted read, a refused one) as the end, not as a failure to report.
    reloader.beginClose();
    watcher.stop(deadline);
    reloader.close(deadline);
    dispatcher.close(deadline);
    LOG.debug("{}: closed", directory);
  }

  @Override
  public String toString() {
    SecretsSnapshot current = reloader.current();
    return "MountedSecrets[mount=" + directory + ", revision=" + current.revision() + ", keys="
        + current.size() + ", state=" + reloader.status().state() + "]";
  }

  // ---------------------------------------------------------------------------------------

  /**
   * Configures and builds a {@link MountedSecrets}. Every method checks its argument at
   * once and names the option and the value when it refuses one
   * ({@link InvalidOptionException}); the options, their defaults and their rules are listed
   * in {@link MountedSecretsOption}.
   */
  public static final class Builder extends BuilderBase<Builder> {
    private Builder() {}

    @Override
    Builder self() {
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
        FirstRead.start(secrets.directory, secrets.reloader, secrets.watcher, secrets.quietPeriod,
            requireMount);
      } catch (RuntimeException e) {
        secrets.close();
        throw e;
      }
      return secrets;
    }
  }
}
