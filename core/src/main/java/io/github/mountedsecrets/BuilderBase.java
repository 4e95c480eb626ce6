package io.github.mountedsecrets;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * The options of {@link MountedSecrets.Builder}, each checked at once against its rule in
 * {@link MountedSecretsOption}. Package-private: its public methods are used through
 * {@code MountedSecrets.Builder}.
 *
 * @param <B> the builder type, returned by every setter
 */
abstract class BuilderBase<B extends BuilderBase<B>> {
  private static final Duration MAX_DURATION = Duration.ofSeconds(Long.MAX_VALUE);

  Path directory = (Path) MountedSecretsOption.DIRECTORY.defaultValue();
  Duration pollInterval = (Duration) MountedSecretsOption.POLL_INTERVAL.defaultValue();
  Duration quietPeriod = (Duration) MountedSecretsOption.QUIET_PERIOD.defaultValue();
  boolean watch = (Boolean) MountedSecretsOption.WATCH.defaultValue();
  boolean flattenJson = (Boolean) MountedSecretsOption.FLATTEN_JSON.defaultValue();
  boolean trimTrailingNewline = (Boolean) MountedSecretsOption.TRIM_TRAILING_NEWLINE.defaultValue();
  long maxFileSize = (Long) MountedSecretsOption.MAX_FILE_SIZE.defaultValue();
  int maxDepth = (Integer) MountedSecretsOption.MAX_DEPTH.defaultValue();
  int maxEntries = (Integer) MountedSecretsOption.MAX_ENTRIES.defaultValue();
  long maxTotalSize = (Long) MountedSecretsOption.MAX_TOTAL_SIZE.defaultValue();
  boolean requireMount = (Boolean) MountedSecretsOption.REQUIRE_MOUNT.defaultValue();
  long cacheMaximumSize = (Long) MountedSecretsOption.CACHE_MAXIMUM_SIZE.defaultValue();
  Clock clock = Clock.systemUTC();
  Duration readTimeout = (Duration) MountedSecretsOption.READ_TIMEOUT.defaultValue();
  int maxJsonKeysPerFile = (Integer) MountedSecretsOption.MAX_JSON_KEYS_PER_FILE.defaultValue();
  int maxJsonKeys = (Integer) MountedSecretsOption.MAX_JSON_KEYS.defaultValue();
  int maxJsonDepth = (Integer) MountedSecretsOption.MAX_JSON_DEPTH.defaultValue();
  OpenCheck openCheck = relative -> { };

  BuilderBase() {}

  /** Refuses a value: "<i>rule</i>, but was <i>value</i>". */
  private static InvalidOptionException invalid(MountedSecretsOption option, Object value) {
    return new InvalidOptionException(option, option.rule() + ", but was " + value);
  }

  /** Returns a value, or throws a {@link NullPointerException} naming the option. */
  private static <T> T requireNonNull(MountedSecretsOption option, T value) {
    if (value == null) {
      throw new NullPointerException(option.builderName() + " must not be null");
    }
    return value;
  }

  private static long checkRange(MountedSecretsOption option, long value, long min, long max) {
    if (value < min || value > max) {
      throw invalid(option, value);
    }
    return value;
  }

  private static Duration checkRange(MountedSecretsOption option, Duration value, Duration min,
      Duration max) {
    requireNonNull(option, value);
    if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw invalid(option, value);
    }
    return value;
  }

  abstract B self();

  /**
   * Sets the mount directory. Default {@code /mnt/secrets-store}.
   *
   * @param directory the directory the secrets volume is mounted at
   * @return this builder
   */
  public B directory(Path directory) {
    this.directory = requireNonNull(MountedSecretsOption.DIRECTORY, directory);
    return self();
  }

  /**
   * Sets how often the mount is checked even without a file-system event. Default 30 s.
   * A check of the atomic-writer layout costs one {@code readlink}.
   *
   * @param pollInterval a positive duration
   * @return this builder
   */
  public B pollInterval(Duration pollInterval) {
    this.pollInterval = checkRange(MountedSecretsOption.POLL_INTERVAL, pollInterval,
        Duration.ofNanos(1), MAX_DURATION);
    return self();
  }

  /**
   * Sets how long the plain-file layout must stay unchanged before it is read, so that a
   * rotation that replaces several files one by one is read as one change. Default 100 ms.
   * Changes that never stop (a file touched more often than this) postpone the read for at
   * most ten quiet periods; a read that finds a writer busy (its temporary file written in the
   * last 10 s) is repeated a quiet period later, ten times at most, then what is there is read.
   *
   * @param quietPeriod zero or a positive duration of at most one minute
   * @return this builder
   */
  public B quietPeriod(Duration quietPeriod) {
    this.quietPeriod = checkRange(MountedSecretsOption.QUIET_PERIOD, quietPeriod, Duration.ZERO,
        Duration.ofMinutes(1));
    return self();
  }

  /**
   * Sets whether file-system events are watched; without them only the poll notices
   * changes. Default true.
   *
   * @param watch whether to use a {@code WatchService}
   * @return this builder
   */
  public B watch(boolean watch) {
    this.watch = watch;
    return self();
  }

  /**
   * Sets whether files holding a JSON object also yield {@code file.field} keys. Default
   * true.
   *
   * @param flattenJson whether to flatten JSON objects
   * @return this builder
   */
  public B flattenJson(boolean flattenJson) {
    this.flattenJson = flattenJson;
    return self();
  }

  /**
   * Sets whether one trailing newline is trimmed from single-line text values (as
   * {@code kubectl create secret --from-file} often leaves). Multi-line values such as PEM
   * and bytes are never changed. Default true.
   *
   * @param trimTrailingNewline whether to trim
   * @return this builder
   */
  public B trimTrailingNewline(boolean trimTrailingNewline) {
    this.trimTrailingNewline = trimTrailingNewline;
    return self();
  }

  /**
   * Sets the largest file read, in bytes; larger files are reported and skipped. Default
   * 1 MiB.
   *
   * @param maxFileSize from 1 to 2,147,483,631 bytes
   * @return this builder
   */
  public B maxFileSize(long maxFileSize) {
    this.maxFileSize = checkRange(MountedSecretsOption.MAX_FILE_SIZE, maxFileSize, 1,
        Integer.MAX_VALUE - 16L);
    return self();
  }

  /**
   * Sets the deepest directory nesting read ({@code a/b/c} is depth 3). Default 8.
   *
   * @param maxDepth from 1 to 64
   * @return this builder
   */
  public B maxDepth(int maxDepth) {
    this.maxDepth = (int) checkRange(MountedSecretsOption.MAX_DEPTH, maxDepth, 1, 64);
    return self();
  }

  /**
   * Sets the most entries (files, directories and links, at every depth) one read of the
   * mount examines. A mount holding more fails that read as a whole, naming this option, and
   * the last good snapshot stays in service; at startup, {@code build()} fails. The limit
   * bounds the work and memory of a directory that is not the secrets mount (a wrong path, a
   * volume full of other files); a CSI mount holds one entry per object. Default 100,000.
   *
   * @param maxEntries from 1 to 10,000,000
   * @return this builder
   */
  public B maxEntries(int maxEntries) {
    this.maxEntries = (int) checkRange(MountedSecretsOption.MAX_ENTRIES, maxEntries, 1,
        10_000_000);
    return self();
  }

  /**
   * Sets the most bytes all files of the mount hold together. A mount holding more fails that
   * read as a whole, naming this option, and the last good snapshot stays in service; at
   * startup, {@code build()} fails. Files over {@link #maxFileSize(long)} are left out before
   * they count. Default 64 MiB.
   *
   * @param maxTotalSize a positive number of bytes
   * @return this builder
   */
  public B maxTotalSize(long maxTotalSize) {
    this.maxTotalSize = checkRange(MountedSecretsOption.MAX_TOTAL_SIZE, maxTotalSize, 1,
        Long.MAX_VALUE);
    return self();
  }

  /**
   * Sets whether {@code build()} fails when the directory does not exist. When false, the
   * instance starts empty and picks the mount up when it appears. Default true.
   *
   * @param requireMount whether a missing mount fails startup
   * @return this builder
   */
  public B requireMount(boolean requireMount) {
    this.requireMount = requireMount;
    return self();
  }

  /**
   * Sets how many typed conversions (numbers, durations, decoded base64, credentials) are
   * cached. Default 10,000; 0 disables the cache.
   *
   * @param cacheMaximumSize zero or more entries
   * @return this builder
   */
  public B cacheMaximumSize(long cacheMaximumSize) {
    this.cacheMaximumSize = checkRange(MountedSecretsOption.CACHE_MAXIMUM_SIZE, cacheMaximumSize,
        0, Long.MAX_VALUE);
    return self();
  }

  /**
   * Sets the clock for load and change timestamps. Default the system UTC clock.
   *
   * @param clock the clock
   * @return this builder
   */
  public B clock(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock must not be null");
    return self();
  }

  /**
   * Sets how long a read of the mount may go without progress: opening and reading one entry
   * may take at most this. A read stalled longer on one entry (a FIFO swapped in for a file, a
   * stalled file system) fails that reload with a reason naming the entry; the last good
   * snapshot stays and the next reload starts afresh. A read that keeps making progress is not
   * cut off, so a large mount on a starved machine still loads. Default 5 s.
   *
   * @param readTimeout from 1 ms to 10 minutes
   * @return this builder
   */
  public B readTimeout(Duration readTimeout) {
    this.readTimeout = checkRange(MountedSecretsOption.READ_TIMEOUT, readTimeout,
        Duration.ofMillis(1), Duration.ofMinutes(10));
    return self();
  }

  /**
   * Sets the most fields one JSON file yields as {@code file.field} keys. A file with more
   * is served as raw text only, and reported. Default 1,000.
   *
   * @param maxJsonKeysPerFile from 1 to 1,000,000
   * @return this builder
   */
  public B maxJsonKeysPerFile(int maxJsonKeysPerFile) {
    this.maxJsonKeysPerFile = (int) checkRange(MountedSecretsOption.MAX_JSON_KEYS_PER_FILE, 
        maxJsonKeysPerFile, 1, 1_000_000);
    return self();
  }

  /**
   * Sets the most fields all JSON files of the mount yield together. Files whose fields
   * would pass the limit are served as raw text only, and reported. Default 10,000.
   *
   * @param maxJsonKeys from 1 to 10,000,000
   * @return this builder
   */
  public B maxJsonKeys(int maxJsonKeys) {
    this.maxJsonKeys = (int) checkRange(MountedSecretsOption.MAX_JSON_KEYS, maxJsonKeys, 1,
        10_000_000);
    return self();
  }

  /**
   * Sets the deepest nesting of objects and arrays flattened in a JSON file. A deeper file
   * is served as raw text only, and reported. Default 32.
   *
   * @param maxJsonDepth from 1 to 512
   * @return this builder
   */
  public B maxJsonDepth(int maxJsonDepth) {
    this.maxJsonDepth = (int) checkRange(MountedSecretsOption.MAX_JSON_DEPTH, maxJsonDepth, 1,
        512);
    return self();
  }

  ReadLimits readLimits() {
    return new ReadLimits(maxFileSize, maxDepth, maxEntries, maxTotalSize);
  }

  SnapshotAssembler.JsonLimits jsonLimits() {
    return new SnapshotAssembler.JsonLimits(maxJsonKeysPerFile, maxJsonKeys, maxJsonDepth);
  }

  B openCheck(OpenCheck openCheck) {
    this.openCheck = Objects.requireNonNull(openCheck, "openCheck must not be null");
    return self();
  }

  @Override
  public String toString() {
    return "MountedSecrets.Builder[directory=" + directory + ", pollInterval=" + pollInterval
        + ", quietPeriod=" + quietPeriod + ", watch=" + watch + ", flattenJson=" + flattenJson
        + ", trimTrailingNewline=" + trimTrailingNewline + ", maxFileSize=" + maxFileSize
        + ", maxDepth=" + maxDepth + ", maxEntries=" + maxEntries + ", maxTotalSize="
        + maxTotalSize + ", requireMount=" + requireMount + ", cacheMaximumSize="
        + cacheMaximumSize + ", readTimeout=" + readTimeout + ", maxJsonKeysPerFile="
        + maxJsonKeysPerFile + ", maxJsonKeys=" + maxJsonKeys + ", maxJsonDepth=" + maxJsonDepth
        + "]";
  }
}
