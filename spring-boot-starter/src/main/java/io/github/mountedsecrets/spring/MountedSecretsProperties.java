package io.github.mountedsecrets.spring;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Configuration properties under {@code mounted-secrets}, one for each option of
 * {@link io.github.mountedsecrets.MountedSecrets.Builder} with the same name in kebab case,
 * plus the data source credential rotation under {@code mounted-secrets.datasource}.
 *
 * <p>They configure the instance the auto-configuration creates and every mount imported with
 * {@code spring.config.import=mounted-secrets:<directory>} (the import's directory replaces
 * {@link #getDirectory() directory}).
 */
@ConfigurationProperties(prefix = MountedSecretsProperties.PREFIX)
public class MountedSecretsProperties {
  /** Prefix of every property. */
  public static final String PREFIX = "mounted-secrets";

  /**
   * Directory the secrets volume is mounted at. A "mounted-secrets:directory" config import
   * names its own directory.
   */
  private Path directory = Path.of("/mnt/secrets-store");

  /**
   * How often the mount is checked even without a file-system event.
   */
  private Duration pollInterval = Duration.ofSeconds(30);

  /**
   * How long plain files must stay unchanged before they are read, so that a rotation that
   * replaces several files one by one is read as one change. At most one minute.
   */
  private Duration quietPeriod = Duration.ofMillis(100);

  /**
   * Whether file-system events (inotify on Linux) report changes; without them only the poll
   * does.
   */
  private boolean watch = true;

  /**
   * Whether a file holding a JSON object also yields "file.field" keys.
   */
  private boolean flattenJson = true;

  /**
   * Whether one trailing newline is trimmed from single-line text. Multi-line text (PEM) is
   * never changed.
   */
  private boolean trimTrailingNewline = true;

  /**
   * Largest file read; larger files are reported and not read.
   */
  private DataSize maxFileSize = DataSize.ofMegabytes(1);

  /**
   * Deepest directory nesting read ("a/b/c" is depth 3).
   */
  private int maxDepth = 8;

  /**
   * Most entries (files, directories and links, at every depth) one read of the mount
   * examines; a mount holding more is refused as a whole and the last good values stay.
   */
  private int maxEntries = 100_000;

  /**
   * Most bytes all files of the mount hold together; a mount holding more is refused as a
   * whole and the last good values stay.
   */
  private DataSize maxTotalSize = DataSize.ofMegabytes(64);

  /**
   * Whether startup fails when the directory is missing. When false, the application starts
   * without the secrets and picks the mount up when it appears.
   */
  private boolean requireMount = true;

  /**
   * Number of typed conversions cached (by key, version and type); 0 disables the cache.
   */
  private long cacheMaximumSize = 10_000;

  /**
   * Longest a read of the mount may wait on one entry. A read stalled longer (a FIFO swapped
   * in for a file, a stalled file system) fails that reload naming the entry; the last snapshot
   * stays. A read that keeps making progress is not cut off, however large the mount.
   */
  private Duration readTimeout = Duration.ofSeconds(5);

  /**
   * Most "file.field" keys one JSON file yields; a file with more is served as raw text only.
   */
  private int maxJsonKeysPerFile = 1_000;

  /**
   * Most "file.field" keys all JSON files of the mount yield together.
   */
  private int maxJsonKeys = 10_000;

  /**
   * Deepest nesting of objects and arrays flattened in a JSON file.
   */
  private int maxJsonDepth = 32;

  /**
   * Where imported mounts rank among property sources: "config-data" (with the other imported
   * configuration: below command-line arguments, Java system properties and OS environment
   * variables) or "ahead-of-environment" (just above OS environment variables, so that a
   * leftover variable of the same name cannot hide the rotating value; command-line arguments
   * and Java system properties still win).
   */
  private Precedence precedence = Precedence.CONFIG_DATA;

  private final Datasource datasource = new Datasource();

  private final ValueInjection valueInjection = new ValueInjection();

  /**
   * Returns the mount directory.
   *
   * @return the directory
   */
  public Path getDirectory() {
    return directory;
  }

  /**
   * Sets the mount directory.
   *
   * @param directory the directory
   */
  public void setDirectory(Path directory) {
    this.directory = directory;
  }

  /**
   * Returns the poll interval.
   *
   * @return the interval
   */
  public Duration getPollInterval() {
    return pollInterval;
  }

  /**
   * Sets the poll interval.
   *
   * @param pollInterval the interval
   */
  public void setPollInterval(Duration pollInterval) {
    this.pollInterval = pollInterval;
  }

  /**
   * Returns the quiet period.
   *
   * @return the quiet period
   */
  public Duration getQuietPeriod() {
    return quietPeriod;
  }

  /**
   * Sets the quiet period.
   *
   * @param quietPeriod the quiet period
   */
  public void setQuietPeriod(Duration quietPeriod) {
    this.quietPeriod = quietPeriod;
  }

  /**
   * Returns whether file-system events are watched.
   *
   * @return whether to watch
   */
  public boolean isWatch() {
    return watch;
  }

  /**
   * Sets whether file-system events are watched.
   *
   * @param watch whether to watch
   */
  public void setWatch(boolean watch) {
    this.watch = watch;
  }

  /**
   * Returns whether JSON objects are flattened.
   *
   * @return whether to flatten
   */
  public boolean isFlattenJson() {
    return flattenJson;
  }

  /**
   * Sets whether JSON objects are flattened.
   *
   * @param flattenJson whether to flatten
   */
  public void setFlattenJson(boolean flattenJson) {
    this.flattenJson = flattenJson;
  }

  /**
   * Returns whether one trailing newline is trimmed.
   *
   * @return whether to trim
   */
  public boolean isTrimTrailingNewline() {
    return trimTrailingNewline;
  }

  /**
   * Sets whether one trailing newline is trimmed.
   *
   * @param trimTrailingNewline whether to trim
   */
  public void setTrimTrailingNewline(boolean trimTrailingNewline) {
    this.trimTrailingNewline = trimTrailingNewline;
  }

  /**
   * Returns the largest file read.
   *
   * @return the size
   */
  public DataSize getMaxFileSize() {
    return maxFileSize;
  }

  /**
   * Sets the largest file read.
   *
   * @param maxFileSize the size
   */
  public void setMaxFileSize(DataSize maxFileSize) {
    this.maxFileSize = maxFileSize;
  }

  /**
   * Returns the most entries one read of the mount examines.
   *
   * @return the number of entries
   */
  public int getMaxEntries() {
    return maxEntries;
  }

  /**
   * Sets the most entries one read of the mount examines.
   *
   * @param maxEntries the number of entries
   */
  public void setMaxEntries(int maxEntries) {
    this.maxEntries = maxEntries;
  }

  /**
   * Returns the most bytes all files of the mount hold together.
   *
   * @return the size
   */
  public DataSize getMaxTotalSize() {
    return maxTotalSize;
  }

  /**
   * Sets the most bytes all files of the mount hold together.
   *
   * @param maxTotalSize the size
   */
  public void setMaxTotalSize(DataSize maxTotalSize) {
    this.maxTotalSize = maxTotalSize;
  }

  /**
   * Returns the deepest directory nesting read.
   *
   * @return the depth
   */
  public int getMaxDepth() {
    return maxDepth;
  }

  /**
   * Sets the deepest directory nesting read.
   *
   * @param maxDepth the depth
   */
  public void setMaxDepth(int maxDepth) {
    this.maxDepth = maxDepth;
  }

  /**
   * Returns whether startup fails when the directory is missing.
   *
   * @return whether the mount is required
   */
  public boolean isRequireMount() {
    return requireMount;
  }

  /**
   * Sets whether startup fails when the directory is missing.
   *
   * @param requireMount whether the mount is required
   */
  public void setRequireMount(boolean requireMount) {
    this.requireMount = requireMount;
  }

  /**
   * Returns the number of typed conversions cached.
   *
   * @return the cache size
   */
  public long getCacheMaximumSize() {
    return cacheMaximumSize;
  }

  /**
   * Sets the number of typed conversions cached.
   *
   * @param cacheMaximumSize the cache size
   */
  public void setCacheMaximumSize(long cacheMaximumSize) {
    this.cacheMaximumSize = cacheMaximumSize;
  }

  /**
   * Returns the read timeout.
   *
   * @return the read timeout
   */
  public Duration getReadTimeout() {
    return readTimeout;
  }

  /**
   * Sets the read timeout.
   *
   * @param readTimeout the read timeout
   */
  public void setReadTimeout(Duration readTimeout) {
    this.readTimeout = readTimeout;
  }

  /**
   * Returns the most JSON fields per file.
   *
   * @return the most JSON fields per file
   */
  public int getMaxJsonKeysPerFile() {
    return maxJsonKeysPerFile;
  }

  /**
   * Sets the most JSON fields per file.
   *
   * @param maxJsonKeysPerFile the most JSON fields per file
   */
  public void setMaxJsonKeysPerFile(int maxJsonKeysPerFile) {
    this.maxJsonKeysPerFile = maxJsonKeysPerFile;
  }

  /**
   * Returns the most JSON fields of the mount.
   *
   * @return the most JSON fields of the mount
   */
  public int getMaxJsonKeys() {
    return maxJsonKeys;
  }

  /**
   * Sets the most JSON fields of the mount.
   *
   * @param maxJsonKeys the most JSON fields of the mount
   */
  public void setMaxJsonKeys(int maxJsonKeys) {
    this.maxJsonKeys = maxJsonKeys;
  }

  /**
   * Returns the deepest JSON nesting flattened.
   *
   * @return the deepest JSON nesting flattened
   */
  public int getMaxJsonDepth() {
    return maxJsonDepth;
  }

  /**
   * Sets the deepest JSON nesting flattened.
   *
   * @param maxJsonDepth the deepest JSON nesting flattened
   */
  public void setMaxJsonDepth(int maxJsonDepth) {
    this.maxJsonDepth = maxJsonDepth;
  }

  /**
   * Returns where imported mounts rank among property sources.
   *
   * @return the precedence
   */
  public Precedence getPrecedence() {
    return precedence;
  }

  /**
   * Sets where imported mounts rank among property sources.
   *
   * @param precedence the precedence
   */
  public void setPrecedence(Precedence precedence) {
    this.precedence = precedence;
  }

  /**
   * Returns the settings of {@code @Value} injection.
   *
   * @return the settings
   */
  public ValueInjection getValueInjection() {
    return valueInjection;
  }

  /** Where imported mounts rank among the environment's property sources. */
  public enum Precedence {
    /** With the other imported configuration data, below OS environment variables. */
    CONFIG_DATA,
    /** Just above OS environment variables, below Java system properties. */
    AHEAD_OF_ENVIRONMENT
  }

  /** {@code @Value} injection points that read the mount, under {@code mounted-secrets.value-injection}. */
  public static class ValueInjection {
    /**
     * Whether @Value fields and setter methods of singleton beans whose placeholders reach a
     * key of an imported mount are injected again after each rotation.
     */
    private boolean refresh = true;

    /**
     * Returns whether {@code @Value} injection points are injected again after a rotation.
     *
     * @return whether to refresh
     */
    public boolean isRefresh() {
      return refresh;
    }

    /**
     * Sets whether {@code @Value} injection points are injected again after a rotation.
     *
     * @param refresh whether to refresh
     */
    public void setRefresh(boolean refresh) {
      this.refresh = refresh;
    }
  }

  /**
   * Returns the data source credential rotation settings.
   *
   * @return the settings
   */
  public Datasource getDatasource() {
    return datasource;
  }

  /** Credential rotation of HikariCP data sources, under {@code mounted-secrets.datasource}. */
  public static class Datasource {
    /**
     * Whether HikariCP data sources whose credentials come from the mount switch to rotated
     * credentials once the database accepts them.
     */
    private boolean enabled = true;

    /**
     * Key of an RDS-style JSON secret (username, password, engine, host, port, dbname) that
     * provides the data source's JDBC URL, username and password, so that no
     * spring.datasource.url, username or password is needed.
     */
    private String secret;

    /**
     * Key holding the database username. When unset, the key is taken from a
     * "${KEY}" placeholder in spring.datasource.username.
     */
    private String usernameKey;

    /**
     * Key holding the database password. When unset, the key is taken from a
     * "${KEY}" placeholder in spring.datasource.password.
     */
    private String passwordKey;

    /**
     * First wait after the database refused new credentials; each further refusal doubles it
     * up to the maximum.
     */
    private Duration initialBackoff = Duration.ofSeconds(1);

    /**
     * Longest wait between checks of refused credentials.
     */
    private Duration maxBackoff = Duration.ofSeconds(60);

    /**
     * Returns whether credential rotation is enabled.
     *
     * @return whether enabled
     */
    public boolean isEnabled() {
      return enabled;
    }

    /**
     * Sets whether credential rotation is enabled.
     *
     * @param enabled whether enabled
     */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    /**
     * Returns the key of the JSON secret that provides the connection details.
     *
     * @return the key, or null
     */
    public String getSecret() {
      return secret;
    }

    /**
     * Sets the key of the JSON secret that provides the connection details.
     *
     * @param secret the key
     */
    public void setSecret(String secret) {
      this.secret = secret;
    }

    /**
     * Returns the key holding the username.
     *
     * @return the key, or null to use the placeholder
     */
    public String getUsernameKey() {
      return usernameKey;
    }

    /**
     * Sets the key holding the username.
     *
     * @param usernameKey the key
     */
    public void setUsernameKey(String usernameKey) {
      this.usernameKey = usernameKey;
    }

    /**
     * Returns the key holding the password.
     *
     * @return the key, or null to use the placeholder
     */
    public String getPasswordKey() {
      return passwordKey;
    }

    /**
     * Sets the key holding the password.
     *
     * @param passwordKey the key
     */
    public void setPasswordKey(String passwordKey) {
      this.passwordKey = passwordKey;
    }

    /**
     * Returns the first wait after a refusal.
     *
     * @return the backoff
     */
    public Duration getInitialBackoff() {
      return initialBackoff;
    }

    /**
     * Sets the first wait after a refusal.
     *
     * @param initialBackoff the backoff
     */
    public void setInitialBackoff(Duration initialBackoff) {
      this.initialBackoff = initialBackoff;
    }

    /**
     * Returns the longest wait between checks.
     *
     * @return the backoff
     */
    public Duration getMaxBackoff() {
      return maxBackoff;
    }

    /**
     * Sets the longest wait between checks.
     *
     * @param maxBackoff the backoff
     */
    public void setMaxBackoff(Duration maxBackoff) {
      this.maxBackoff = maxBackoff;
    }
  }
}
