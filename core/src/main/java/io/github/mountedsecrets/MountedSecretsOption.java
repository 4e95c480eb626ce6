package io.github.mountedsecrets;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * The options of {@link MountedSecrets.Builder}: one name, one default and one range each,
 * from which the Spring Boot starter's and the Quarkus extension's properties are derived
 * ({@code pollInterval} is {@code mounted-secrets.poll-interval} in Spring Boot and
 * {@code quarkus.mounted-secrets.poll-interval} in Quarkus).
 *
 * <p>A value the builder refuses raises an {@link InvalidOptionException} that carries the
 * option, so a framework can name its own property followed by the same reason.
 */
public enum MountedSecretsOption {
  /** The mount directory. */
  DIRECTORY("directory", Path.of("/mnt/secrets-store"), "must not be null"),
  /** How often the mount is checked without a file-system event. */
  POLL_INTERVAL("pollInterval", Duration.ofSeconds(30), "must be positive"),
  /** How long plain files must stay unchanged before they are read. */
  QUIET_PERIOD("quietPeriod", Duration.ofMillis(100), "must be between 0 and 1 minute"),
  /** Whether file-system events are watched. */
  WATCH("watch", true, "must be true or false"),
  /** Whether JSON object files also yield {@code file.field} keys. */
  FLATTEN_JSON("flattenJson", true, "must be true or false"),
  /** Whether one trailing newline is trimmed from single-line text. */
  TRIM_TRAILING_NEWLINE("trimTrailingNewline", true, "must be true or false"),
  /** The largest file read, in bytes. */
  MAX_FILE_SIZE("maxFileSize", 1024L * 1024L, "must be between 1 and 2147483631 bytes"),
  /** The deepest directory nesting read. */
  MAX_DEPTH("maxDepth", 8, "must be between 1 and 64"),
  /** The most entries (files, directories, links) one read of the mount examines. */
  MAX_ENTRIES("maxEntries", 100_000, "must be between 1 and 10000000"),
  /** The most bytes all files of the mount hold together. */
  MAX_TOTAL_SIZE("maxTotalSize", 64L * 1024L * 1024L, "must be positive"),
  /** Whether a missing mount fails startup. */
  REQUIRE_MOUNT("requireMount", true, "must be true or false"),
  /** How many typed conversions are cached. */
  CACHE_MAXIMUM_SIZE("cacheMaximumSize", 10_000L, "must not be negative"),
  /** The longest wait for one read of the mount. */
  READ_TIMEOUT("readTimeout", Duration.ofSeconds(5), "must be between 1 ms and 10 minutes"),
  /** The most fields one JSON file yields. */
  MAX_JSON_KEYS_PER_FILE("maxJsonKeysPerFile", 1_000, "must be between 1 and 1000000"),
  /** The most fields all JSON files of the mount yield together. */
  MAX_JSON_KEYS("maxJsonKeys", 10_000, "must be between 1 and 10000000"),
  /** The deepest nesting of a JSON file that is flattened. */
  MAX_JSON_DEPTH("maxJsonDepth", 32, "must be between 1 and 512");

  private final String builderName;
  private final Object defaultValue;
  private final String rule;

  MountedSecretsOption(String builderName, Object defaultValue, String rule) {
    this.builderName = builderName;
    this.defaultValue = defaultValue;
    this.rule = rule;
  }

  /**
   * Returns the option's name as the builder spells it, e.g. {@code pollInterval}.
   *
   * @return the builder method's name
   */
  public String builderName() {
    return builderName;
  }

  /**
   * Returns the option's name as configuration properties spell it, e.g.
   * {@code poll-interval}; frameworks put their prefix in front.
   *
   * @return the kebab-case name
   */
  public String propertyName() {
    StringBuilder sb = new StringBuilder();
    for (char c : builderName.toCharArray()) {
      if (Character.isUpperCase(c)) {
        sb.append('-').append(Character.toLowerCase(c));
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  /**
   * Returns the default value: a {@link Path}, {@link Duration}, {@link Boolean},
   * {@link Integer} or {@link Long} (bytes for {@link #MAX_FILE_SIZE} and
   * {@link #MAX_TOTAL_SIZE}).
   *
   * @return the default
   */
  public Object defaultValue() {
    return defaultValue;
  }

  /**
   * Returns the rule a value must follow, in words, e.g. {@code must be between 1 and 64}.
   *
   * @return the rule
   */
  public String rule() {
    return rule;
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
