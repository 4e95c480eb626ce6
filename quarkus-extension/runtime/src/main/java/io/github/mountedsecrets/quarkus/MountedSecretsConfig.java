package io.github.mountedsecrets.quarkus;

import io.quarkus.runtime.annotations.ConfigDocMapKey;
import io.quarkus.runtime.annotations.ConfigDocSection;
import io.quarkus.runtime.annotations.ConfigGroup;
import io.quarkus.runtime.annotations.ConfigPhase;
import io.quarkus.runtime.annotations.ConfigRoot;
import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithDefaults;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Configuration of the mounted-secrets extension, under {@code quarkus.mounted-secrets}.
 *
 * <p>Every option has the name of the core builder method it sets ({@code pollInterval} is
 * {@code quarkus.mounted-secrets.poll-interval}) and the same default. All options are read
 * at run time, when the application starts.
 */
@ConfigMapping(prefix = "quarkus.mounted-secrets")
@ConfigRoot(phase = ConfigPhase.RUN_TIME)
public interface MountedSecretsConfig {
  /** Default ordinal of the mounted-secrets config source. */
  int DEFAULT_ORDINAL = 350;

  /**
   * Directory the secrets volume is mounted at.
   *
   * @return the mount directory
   */
  @WithDefault("/mnt/secrets-store")
  Path directory();

  /**
   * How often the mount is checked even without a file-system event. A check of the
   * atomic-writer layout is one {@code readlink}; of plain files, one {@code stat} per file.
   *
   * @return a positive duration
   */
  @WithDefault("30s")
  Duration pollInterval();

  /**
   * How long plain files must stay unchanged before they are read, so that a rotation that
   * replaces several files one by one is read as one change. From 0 to 1 minute.
   *
   * @return the quiet period
   */
  @WithDefault("100ms")
  Duration quietPeriod();

  /**
   * Whether file-system events (inotify on Linux) report changes; without them only the
   * poll does.
   *
   * @return whether to watch
   */
  @WithDefault("true")
  boolean watch();

  /**
   * Whether a file holding a JSON object also yields {@code file.field}, {@code file.a.b} and
   * {@code file.list[0]} keys, such as {@code prod-db.username}.
   *
   * @return whether to flatten JSON
   */
  @WithDefault("true")
  boolean flattenJson();

  /**
   * Whether one trailing newline is trimmed from single-line text values. Multi-line text
   * (PEM) and bytes are never changed.
   *
   * @return whether to trim
   */
  @WithDefault("true")
  boolean trimTrailingNewline();

  /**
   * Largest file read; larger files are reported and not read. A memory size such as
   * {@code 1M} (1 MiB) or {@code 512K}.
   *
   * @return the size limit
   */
  @WithDefault("1M")
  MemorySize maxFileSize();

  /**
   * Deepest directory nesting read ({@code a/b/c} is depth 3), from 1 to 64.
   *
   * @return the depth limit
   */
  @WithDefault("8")
  int maxDepth();

  /**
   * Most entries (files, directories and links, at every depth) one read of the mount
   * examines, from 1 to 10,000,000; a mount holding more is refused as a whole and the last
   * good values stay.
   *
   * @return the entry limit
   */
  @WithDefault("100000")
  int maxEntries();

  /**
   * Most bytes all files of the mount hold together; a mount holding more is refused as a
   * whole and the last good values stay. A memory size such as {@code 64M}.
   *
   * @return the total size limit
   */
  @WithDefault("64M")
  MemorySize maxTotalSize();

  /**
   * Whether startup fails when the directory does not exist. When false, the application
   * starts without the secrets and picks the mount up when it appears; set it to false in
   * dev mode and tests that have no mount ({@code %dev.quarkus.mounted-secrets.require-mount=false}).
   *
   * @return whether a missing mount fails startup
   */
  @WithDefault("true")
  boolean requireMount();

  /**
   * How many typed conversions (numbers, durations, decoded base64, credentials) are
   * cached; 0 disables the cache.
   *
   * @return the number of cache entries
   */
  @WithDefault("10000")
  long cacheMaximumSize();

  /**
   * Longest a read of the mount may wait on one entry. A read stalled longer (a FIFO swapped
   * in for a file, a stalled file system) fails that reload naming the entry; the last snapshot
   * stays. A read that keeps making progress is not cut off, however large the mount.
   *
   * @return the read timeout
   */
  @WithDefault("5s")
  Duration readTimeout();

  /**
   * Most {@code file.field} keys one JSON file yields; a file with more is served as raw text
   * only.
   *
   * @return the most fields per JSON file
   */
  @WithDefault("1000")
  int maxJsonKeysPerFile();

  /**
   * Most {@code file.field} keys all JSON files of the mount yield together.
   *
   * @return the most JSON fields of the mount
   */
  @WithDefault("10000")
  int maxJsonKeys();

  /**
   * Deepest nesting of objects and arrays flattened in a JSON file.
   *
   * @return the deepest JSON nesting flattened
   */
  @WithDefault("32")
  int maxJsonDepth();

  /**
   * Ordinal of the config source that serves the mount's keys. The default, 350, puts
   * mounted secrets above environment variables (300) and {@code application.properties}
   * (250), so a value frozen into an environment variable at pod start cannot hide a rotated
   * one, and below system properties (400), which stay the explicit override.
   *
   * @return the config source ordinal
   */
  @WithDefault("" + DEFAULT_ORDINAL)
  int ordinal();

  /**
   * The default datasource taken from one JSON secret of the mount.
   *
   * @return the datasource options
   */
  DataSourceConfig datasource();

  /** The default datasource taken from one JSON secret of the mount. */
  @ConfigGroup
  interface DataSourceConfig {
    /**
     * Key of an RDS-style JSON secret ({@code engine}, {@code host}, {@code port},
     * {@code dbname}, {@code username}, {@code password}) that supplies the default
     * datasource: its JDBC URL is served as {@code quarkus.datasource.jdbc.url} (below
     * {@code application.properties}, so a URL set there wins), and the {@code mounted-secrets}
     * credentials provider serves its {@code username} and {@code password} for the provider
     * name of {@code quarkus.datasource.credentials-provider}, unless that name has a
     * {@code json-secret} of its own. The URL is read at startup; the credentials follow
     * rotations.
     *
     * @return the JSON secret's key, if the datasource comes from one
     */
    Optional<String> secret();
  }

  /**
   * Database credentials served by the {@code mounted-secrets} credentials provider, by
   * credentials provider name: the value of {@code quarkus.datasource.credentials-provider}.
   * A name without an entry uses the defaults: the {@code DB_USER} and
   * {@code DB_PASSWORD} keys.
   *
   * @return credentials options by provider name
   */
  @ConfigDocMapKey("credentials-provider")
  @ConfigDocSection
  @WithDefaults
  Map<String, CredentialsConfig> credentials();

  /** Where the credentials of one credentials provider name come from, and how they rotate. */
  @ConfigGroup
  interface CredentialsConfig {
    /**
     * Key of a JSON key/value secret, such as an RDS-managed secret, whose {@code username}
     * and {@code password} fields hold the credentials (for example {@code prod-db} for the
     * keys {@code prod-db.username} and {@code prod-db.password}). When set, the
     * {@code username-key} and {@code password-key} options are not used.
     *
     * @return the JSON secret's key, if the credentials come from one
     */
    Optional<String> jsonSecret();

    /**
     * Key holding the username, when no {@code json-secret} is set.
     *
     * @return the username key
     */
    @WithDefault("DB_USER")
    String usernameKey();

    /**
     * Key holding the password, when no {@code json-secret} is set.
     *
     * @return the password key
     */
    @WithDefault("DB_PASSWORD")
    String passwordKey();

    /**
     * First wait before new credentials that the database refused are checked again; each
     * further refusal doubles it up to {@code max-backoff}. Meanwhile the credentials in use
     * stay in use.
     *
     * @return a positive duration
     */
    @WithDefault("1s")
    Duration initialBackoff();

    /**
     * Longest wait between two checks of refused credentials.
     *
     * @return a positive duration, not shorter than {@code initial-backoff}
     */
    @WithDefault("60s")
    Duration maxBackoff();
  }

  /**
   * TLS configurations served from the mount, by name. When the application has the Quarkus
   * TLS registry ({@code quarkus-tls-registry}, which {@code quarkus-vertx-http} brings), each
   * is registered there under its name at startup (for example
   * {@code quarkus.http.tls-configuration-name=<name>}) and updated, with a
   * {@code CertificateUpdatedEvent}, on every rotation whose certificate and key pass the
   * checks; a mismatched, half-written or expired generation keeps the previous material.
   * Each is reported by the {@code mounted-secrets-tls} readiness check and, with
   * {@code quarkus-micrometer}, by the {@code mounted.secrets.tls.*} meters. Without the TLS
   * registry they are not served, and startup logs a warning that names them.
   *
   * @return TLS options by configuration name
   */
  @ConfigDocMapKey("name")
  @ConfigDocSection
  Map<String, TlsConfig> tls();

  /** Which keys of the mount hold one TLS configuration's material. */
  @ConfigGroup
  interface TlsConfig {
    /**
     * Key holding the PEM certificate chain, leaf first (or a combined PEM file with the key).
     *
     * @return the certificate key
     */
    String certificate();

    /**
     * Key holding the PEM private key; when not set, the {@code certificate} key is read as a
     * combined file.
     *
     * @return the private key key, if separate
     */
    Optional<String> privateKey();

    /**
     * Key holding the password of an encrypted PKCS#8 private key.
     *
     * @return the password key, if the key is encrypted
     */
    Optional<String> privateKeyPassword();

    /**
     * Key holding trusted PEM certificates (for clients, or to ask for client certificates);
     * when not set, the JDK's default trust applies.
     *
     * @return the trust key, if any
     */
    Optional<String> trust();

    /**
     * How long before the certificate's end of validity a warning is logged.
     *
     * @return zero or a positive duration
     */
    @WithDefault("14d")
    Duration expiryWarning();
  }
}
