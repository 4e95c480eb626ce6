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
  private static final String DEFAULT_DIRECTORY_SETTING = "the builder's directory";
  private static final String DEFAULT_REQUIRE_MOUNT_SETTING = "the builder's requireMount";

  Path directory = (Path) MountedSecretsOption.DIRECTORY.defaultValue();
  Duration pollInterval = (Duration) MountedSecretsOption.POLL_INTERVAL.defaultValue();
  Duration quietPeriod = (Duration) MountedSecretsOption.QUIET_PERIOD.defaultValue();
  boolean watch = (Boolean) MountedSecretsOption.WATCH.defaultValue();
  boolean flattenJson = (Boolean) MountedSecretsOption.FLATTEN_JSON.defaultValue();
  boolean trimTrailingNewline = (Boolean) MountedSecretsOption.TRIM_TRAILING_NEWLINE.defaultValue();
  long maxFileSize = (Long) MountedSecretsOption.MAX_FILE_SIZE.defaultValue();
  int maxDepth = (Integer) MountedSecretsOption.MAX_DEPTH.defaultValue();
  boolean requireMount = (Boolean) MountedSecretsOption.REQUIRE_MOUNT.defaultValue();
  String directorySetting = DEFAULT_DIRECTORY_SETTING;
  String requireMountSetting = DEFAULT_REQUIRE_MOUNT_SETTING;
  long cacheMaximumSize = (Long) MountedSecretsOption.CACHE_MAXIMUM_SIZE.defaultValue();
  Clock clock = Clock.systemUTC();
  Duration readTimeout = (Duration) MountedSecretsOption.READ_TIMEOUT.defaultValue();
  int maxJsonKeysPerFile = (Integer) MountedSecretsOption.MAX_JSON_KEYS_PER_FILE.defaultValue();
  int maxJsonKeys = (Integer) MountedSecretsOption.MAX_JSON_KEYS.defaultValue();
  int maxJsonDepth = (Integer) MountedSecretsOption.MAX_JSON_DEPTH.defaultValue();
  MountReader.OpenCheck openCheck = relative -> { };

  BuilderBase() {}

  abstract B self();

  /**
   * Sets the mount directory. Default {@code /mnt/secrets-store}.
   *
   * @param directory the directory the secrets volume is mounted at
   * @return this builder
   */
  public B directory(Path directory) {
    this.directory = MountedSecretsOption.DIRECTORY.requireNonNull(directory);
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
    this.pollInterval = MountedSecretsOption.POLL_INTERVAL.checkRange(pollInterval,
        Duration.ofNanos(1), MAX_DURATION);
    return self();
  }

  /**
   * Sets how long the plain-file layout must stay unchanged before it is read, so that a
   * rotation that replaces several files one by one is read as one change. Default 100 ms.
   *
   * @param quietPeriod zero or a positive duration of at most one minute
   * @return this builder
   */
  public B quietPeriod(Duration quietPeriod) {
    this.quietPeriod = MountedSecretsOption.QUIET_PERIOD.checkRange(quietPeriod, Duration.ZERO,
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
    this.maxFileSize = MountedSecretsOption.MAX_FILE_SIZE.checkRange(maxFileSize, 1,
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
    this.maxDepth = (int) MountedSecretsOption.MAX_DEPTH.checkRange(maxDepth, 1, 64);
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
  public B settingNames(String directorySetting, String requireMountSetting) {
    this.directorySetting = requireSettingName("directorySetting", directorySetting);
    this.requireMountSetting = requireSettingName("requireMountSetting", requireMountSetting);
    return self();
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
  public B cacheMaximumSize(long cacheMaximumSize) {
    this.cacheMaximumSize = MountedSecretsOption.CACHE_MAXIMUM_SIZE.checkRange(cacheMaximumSize,
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
   * Sets the longest wait for one read of the mount. A read that takes longer (a FIFO
   * swapped in for a file, a stalled file system) fails that reload with a reason naming
   * the entry; the last good snapshot stays and the next reload starts afresh. Default 5 s.
   *
   * @param readTimeout from 1 ms to 10 minutes
   * @return this builder
   */
  public B readTimeout(Duration readTimeout) {
    this.readTimeout = MountedSecretsOption.READ_TIMEOUT.checkRange(readTimeout,
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
    this.maxJsonKeysPerFile = (int) MountedSecretsOption.MAX_JSON_KEYS_PER_FILE.checkRange(
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
    this.maxJsonKeys = (int) MountedSecretsOption.MAX_JSON_KEYS.checkRange(maxJsonKeys, 1,
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
    this.maxJsonDepth = (int) MountedSecretsOption.MAX_JSON_DEPTH.checkRange(maxJsonDepth, 1,
        512);
    return self();
  }

  SnapshotAssembler.JsonLimits jsonLimits() {
    return new SnapshotAssembler.JsonLimits(maxJsonKeysPerFile, maxJsonKeys, maxJsonDepth);
  }

  B openCheck(MountReader.OpenCheck openCheck) {
    this.openCheck = Objects.requireNonNull(openCheck, "openCheck must not be null");
    return self();
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
