package io.github.mountedsecrets;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves a connection pool to new database credentials when they rotate in the mount,
 * but only once the database accepts them.
 *
 * <p>When the keys behind the credentials change, the new pair (read from one snapshot, so
 * username and password always belong together) is first checked by the
 * {@link Verifier}, typically by opening one connection with it. If it is accepted, the
 * {@link Applier} switches the pool (for example HikariCP's {@code setCredentials} and
 * {@code softEvictConnections}, or an Agroal flush), and {@link #current()} returns the new
 * pair. If it is refused, the current pair stays in use, a warning is logged, and the
 * check is retried with exponential backoff until it succeeds or the mount changes again.
 * This covers a mount that changes before the database accepts the new password.
 *
 * <p>Checks and switches run on one daemon thread per rotation
 * ({@code mounted-secrets-rotation[<name>]}), never on a reader's or the event thread.
 * Logs and {@link #status()} name the rotation, revisions and failure types (for SQL
 * errors, the SQLState and vendor code), never a username, password or driver message,
 * since drivers quote the user name.
 */
public final class CredentialsRotation implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CredentialsRotation.class);

  /** Checks that the database accepts a pair, for example by opening one connection. */
  @FunctionalInterface
  public interface Verifier {
    /**
     * Throws if the database refuses the credentials.
     *
     * @param credentials the pair to check
     * @throws Exception if they are refused or cannot be checked
     */
    void verify(DatabaseCredentials credentials) throws Exception;
  }

  /** Switches a pool to new credentials. */
  @FunctionalInterface
  public interface Applier {
    /**
     * Makes new connections use the credentials and retires the old connections gently.
     *
     * @param credentials the verified pair
     * @throws Exception if the switch failed; it is retried like a refused check
     */
    void apply(DatabaseCredentials credentials) throws Exception;
  }

  /** Whether the pool uses the credentials in the mount. */
  public enum State {
    /** The pool uses the credentials the mount holds. */
    IN_SYNC,
    /** The mount holds new credentials that were refused; the previous ones stay in use. */
    RETRYING
  }

  private final MountedSecrets secrets;
  private final String name;
  private final Function<SecretsSnapshot, DatabaseCredentials> source;
  private final Predicate<SecretsChangedEvent> relevant;
  private final Verifier verifier;
  private final Applier applier;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final Clock clock;
  private final ScheduledExecutorService executor;
  private final Subscription subscription;

  private volatile DatabaseCredentials current;
  private volatile Status status;

  // Confined to the executor thread.
  private DatabaseCredentials pending;
  private ScheduledFuture<?> retry;
  private Duration backoff;
  private long failures;
  private long switches;
  private Instant lastSwitchAt;
  private Instant lastFailureAt;
  private String failureReason;

  private CredentialsRotation(Builder builder) {
    this.secrets = builder.secrets;
    this.name = builder.name;
    this.source = builder.source;
    this.relevant = builder.relevant;
    this.verifier = builder.verifier;
    this.applier = builder.applier;
    this.initialBackoff = builder.initialBackoff;
    this.maxBackoff = builder.maxBackoff;
    this.clock = builder.clock;
    this.backoff = initialBackoff;
    this.current = source.apply(secrets.snapshot());
    this.status = new Status(State.IN_SYNC, current.revision(), null, 0, 0, null, null, null);
    String threadName = "mounted-secrets-rotation[" + name + "]";
    this.executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, threadName);
      thread.setDaemon(true);
      return thread;
    });
    this.subscription = secrets.onChange(event -> {
      if (relevant.test(event)) {
        SecretsSnapshot snapshot = event.current();
        submit(() -> consider(snapshot));
      }
    });
    // A rotation between reading the credentials and subscribing is caught here.
    submit(() -> consider(secrets.snapshot()));
  }

  /**
   * Starts a builder for a rotation of credentials read from a mount.
   *
   * @param secrets the mount to follow
   * @return a builder
   */
  public static Builder builder(MountedSecrets secrets) {
    return new Builder(secrets);
  }

  /**
   * Returns the credentials to use: the pair the pool was started with or, once the
   * database accepted a new pair, that pair (already while the pool is being switched to
   * it). A pool that asks for credentials for each new connection should ask here.
   *
   * @return the credentials in use
   */
  public DatabaseCredentials current() {
    return current;
  }

  /**
   * Returns the state of the rotation, for health checks.
   *
   * @return the status
   */
  public Status status() {
    return status;
  }

  /**
   * Returns the name this rotation was given, such as the data source's name.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  private void submit(Runnable task) {
    try {
      executor.execute(task);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      LOG.debug("{}: {}: closed; rotation ignored", secrets.directory(), name);
    }
  }

  private void consider(SecretsSnapshot snapshot) {
    DatabaseCredentials next;
    try {
      next = source.apply(snapshot);
    } catch (MountedSecretsException e) {
      LOG.warn("{}: {}: the mount no longer holds complete credentials ({}); keeping the ones in "
          + "use", secrets.directory(), name, e.getMessage());
      return;
    }
    cancelRetry();
    if (next.equals(current)) {
      pending = null;
      backoff = initialBackoff;
      publishStatus(State.IN_SYNC);
      return;
    }
    pending = next;
    backoff = initialBackoff;
    attempt();
  }

  private void attempt() {
    DatabaseCredentials target = pending;
    if (target == null) {
      return;
    }
    try {
      verifier.verify(target);
    } catch (Exception e) {
      failed(target, "refused by the database", e);
      return;
    }
    // The database accepted the pair: hand it out from now on, before the pool is switched,
    // so that connections a pool opens during the switch (Agroal asks for every new one)
    // already use it and are not left behind with the old pair.
    DatabaseCredentials previous = current;
    current = target;
    try {
      applier.apply(target);
    } catch (Exception e) {
      current = previous;
      failed(target, "could not be applied to the pool", e);
      return;
    }
    pending = null;
    backoff = initialBackoff;
    failures = 0;
    failureReason = null;
    switches++;
    lastSwitchAt = clock.instant();
    publishStatus(State.IN_SYNC);
    LOG.info("{}: {}: switched to the credentials of revision {} after a successful check",
        secrets.directory(), name, target.revision());
  }

  private void failed(DatabaseCredentials target, String what, Exception e) {
    failures++;
    lastFailureAt = clock.instant();
    failureReason = "new credentials (revision " + target.revision() + ") " + what + ": "
        + describe(e);
    Duration wait = backoff;
    backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
    publishStatus(State.RETRYING);
    if (failures == 1) {
      LOG.warn("{}: {}: {}; keeping the credentials in use (revision {}), retrying in {} ms",
          secrets.directory(), name, failureReason, current.revision(), wait.toMillis());
    } else {
      LOG.debug("{}: {}: attempt {} failed: {}; retrying in {} ms", secrets.directory(), name,
          failures, failureReason, wait.toMillis());
    }
    try {
      retry = executor.schedule(this::attempt, wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      LOG.debug("{}: {}: closed; no retry", secrets.directory(), name);
    }
  }

  private void cancelRetry() {
    if (retry != null) {
      retry.cancel(false);
      retry = null;
    }
  }

  private void publishStatus(State state) {
    DatabaseCredentials waiting = pending;
    status = new Status(state, current.revision(), waiting == null ? null : waiting.revision(),
        failures, switches, lastSwitchAt, lastFailureAt, state == State.IN_SYNC ? null : failureReason);
  }

  /**
   * Describes a failure without its message: drivers put the user name in theirs.
   */
  static String describe(Throwable e) {
    StringBuilder sb = new StringBuilder(e.getClass().getName());
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException) {
        SQLException sql = (SQLException) t;
        sb.append(" (SQLState ").append(sql.getSQLState()).append(", error code ")
            .append(sql.getErrorCode()).append(')');
        break;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return sb.toString();
  }

  /** Stops following the mount and the retry thread. The credentials in use stay as they are. */
  @Override
  public void close() {
    subscription.close();
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "CredentialsRotation[name=" + name + ", mount=" + secrets.directory() + ", state="
        + status.state() + ", revision=" + status.revision() + "]";
  }

  /**
   * Returns a verifier that opens one JDBC connection through {@link DriverManager} with
   * the credentials and checks it is valid.
   *
   * @param jdbcUrl the database's JDBC URL
   * @return the verifier
   */
  public static Verifier jdbcVerifier(String jdbcUrl) {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    return credentials -> {
      try (Connection connection = DriverManager.getConnection(jdbcUrl, credentials.username(),
          credentials.password())) {
        check(connection);
      }
    };
  }

  /**
   * Returns a verifier that opens one connection with the given driver, for class loaders
   * where {@link DriverManager} cannot see the driver.
   *
   * @param driver the JDBC driver
   * @param jdbcUrl the database's JDBC URL
   * @return the verifier
   */
  public static Verifier jdbcVerifier(Driver driver, String jdbcUrl) {
    return jdbcVerifier(driver, jdbcUrl, new Properties());
  }

  /**
   * Returns a verifier that opens one connection with the given driver and the pool's own
   * connection properties (SSL mode and the like), plus the credentials to check.
   *
   * @param driver the JDBC driver
   * @param jdbcUrl the database's JDBC URL
   * @param connectionProperties properties passed to the driver besides user and password;
   *     copied, not kept
   * @return the verifier
   */
  public static Verifier jdbcVerifier(Driver driver, String jdbcUrl, Properties connectionProperties) {
    Objects.requireNonNull(driver, "driver");
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    Properties base = new Properties();
    base.putAll(Objects.requireNonNull(connectionProperties, "connectionProperties"));
    return credentials -> {
      Properties properties = new Properties();
      properties.putAll(base);
      properties.setProperty("user", credentials.username());
      properties.setProperty("password", credentials.password());
      try (Connection connection = driver.connect(jdbcUrl, properties)) {
        if (connection == null) {
          throw new SQLException("driver " + driver.getClass().getName() + " does not accept the URL");
        }
        check(connection);
      }
    };
  }

  private static void check(Connection connection) throws SQLException {
    if (!connection.isValid(5)) {
      throw new SQLException("connection opened with the new credentials is not valid", "08000");
    }
  }

  /** What {@link CredentialsRotation#status()} reports; names no credential. */
  public static final class Status {
    private final State state;
    private final long revision;
    private final Long pendingRevision;
    private final long failedAttempts;
    private final long switches;
    private final Instant lastSwitchAt;
    private final Instant lastFailureAt;
    private final String failureReason;

    Status(State state, long revision, Long pendingRevision, long failedAttempts, long switches,
        Instant lastSwitchAt, Instant lastFailureAt, String failureReason) {
      this.state = state;
      this.revision = revision;
      this.pendingRevision = pendingRevision;
      this.failedAttempts = failedAttempts;
      this.switches = switches;
      this.lastSwitchAt = lastSwitchAt;
      this.lastFailureAt = lastFailureAt;
      this.failureReason = failureReason;
    }

    /**
     * Returns whether the pool uses the mount's credentials.
     *
     * @return the state
     */
    /**
     * Returns what health checks show for this rotation, with the same keys in every
     * framework: {@code state}, {@code revision}, {@code failedAttempts}, {@code switches},
     * and when known {@code pendingRevision}, {@code lastSwitchAt}, {@code lastFailureAt}
     * (ISO-8601 text) and {@code failureReason}. Never a user name or password.
     *
     * @return an ordered, unmodifiable map of details
     */
    public java.util.Map<String, Object> details() {
      java.util.Map<String, Object> details = new java.util.LinkedHashMap<>();
      details.put("state", state.name());
      details.put("revision", revision);
      if (pendingRevision != null) {
        details.put("pendingRevision", pendingRevision);
      }
      details.put("failedAttempts", failedAttempts);
      details.put("switches", switches);
      if (lastSwitchAt != null) {
        details.put("lastSwitchAt", lastSwitchAt.toString());
      }
      if (lastFailureAt != null) {
        details.put("lastFailureAt", lastFailureAt.toString());
      }
      if (failureReason != null) {
        details.put("failureReason", failureReason);
      }
      return java.util.Collections.unmodifiableMap(details);
    }

    public State state() {
      return state;
    }

    /**
     * Returns the snapshot revision of the credentials in use.
     *
     * @return the revision
     */
    public long revision() {
      return revision;
    }

    /**
     * Returns the revision of refused credentials waiting for a retry.
     *
     * @return the revision, or empty when nothing waits
     */
    public Optional<Long> pendingRevision() {
      return Optional.ofNullable(pendingRevision);
    }

    /**
     * Returns how many checks of the waiting credentials failed.
     *
     * @return failed attempts since the last switch
     */
    public long failedAttempts() {
      return failedAttempts;
    }

    /**
     * Returns how many times the pool was switched to new credentials.
     *
     * @return the count
     */
    public long switches() {
      return switches;
    }

    /**
     * Returns when the pool last switched credentials.
     *
     * @return the time, or empty if it never did
     */
    public Optional<Instant> lastSwitchAt() {
      return Optional.ofNullable(lastSwitchAt);
    }

    /**
     * Returns when a check last failed.
     *
     * @return the time, or empty
     */
    public Optional<Instant> lastFailureAt() {
      return Optional.ofNullable(lastFailureAt);
    }

    /**
     * Returns why the waiting credentials were refused: the exception type and, for SQL
     * errors, the SQLState and vendor code.
     *
     * @return the reason, or empty when in sync
     */
    public Optional<String> failureReason() {
      return Optional.ofNullable(failureReason);
    }

    @Override
    public String toString() {
      return "CredentialsRotation.Status[state=" + state + ", revision=" + revision
          + ", pendingRevision=" + pendingRevision + ", failedAttempts=" + failedAttempts
          + ", switches=" + switches + ", failureReason=" + failureReason + "]";
    }
  }

  /** Configures a {@link CredentialsRotation}. */
  public static final class Builder {
    private final MountedSecrets secrets;
    private String name = "dataSource";
    private Function<SecretsSnapshot, DatabaseCredentials> source;
    private Predicate<SecretsChangedEvent> relevant;
    private Verifier verifier;
    private Applier applier;
    private Duration initialBackoff = Duration.ofSeconds(1);
    private Duration maxBackoff = Duration.ofSeconds(60);
    private Clock clock = Clock.systemUTC();

    private Builder(MountedSecrets secrets) {
      this.secrets = Objects.requireNonNull(secrets, "secrets must not be null");
    }

    /**
     * Sets the name used in logs, thread names and health, such as the data source's name.
     * Default {@code dataSource}.
     *
     * @param name the name
     * @return this builder
     */
    public Builder name(String name) {
      Objects.requireNonNull(name, "name must not be null");
      if (name.isBlank()) {
        throw new IllegalArgumentException("name must not be blank, but was '" + name + "'");
      }
      this.name = name;
      return this;
    }

    /**
     * Reads the credentials from a JSON key/value secret such as an RDS-managed secret.
     *
     * @param secretKey the key of the JSON secret file, e.g. {@code prod-db}
     * @return this builder
     * @see DatabaseCredentials#fromJsonSecret(SecretsSnapshot, String)
     */
    public Builder jsonSecret(String secretKey) {
      Objects.requireNonNull(secretKey, "secretKey must not be null");
      this.source = snapshot -> DatabaseCredentials.fromJsonSecret(snapshot, secretKey);
      this.relevant = event -> event.affectsPrefix(secretKey + ".");
      return this;
    }

    /**
     * Reads the credentials from two keys, such as {@code DB_USER} and {@code DB_PASSWORD}.
     *
     * @param usernameKey the key holding the username
     * @param passwordKey the key holding the password
     * @return this builder
     */
    public Builder keys(String usernameKey, String passwordKey) {
      Objects.requireNonNull(usernameKey, "usernameKey must not be null");
      Objects.requireNonNull(passwordKey, "passwordKey must not be null");
      this.source = snapshot -> DatabaseCredentials.fromKeys(snapshot, usernameKey, passwordKey);
      this.relevant = event -> event.affects(usernameKey) || event.affects(passwordKey);
      return this;
    }

    /**
     * Sets how a new pair is checked before it is used.
     *
     * @param verifier the check, e.g. {@link CredentialsRotation#jdbcVerifier(String)}
     * @return this builder
     */
    public Builder verifier(Verifier verifier) {
      this.verifier = Objects.requireNonNull(verifier, "verifier must not be null");
      return this;
    }

    /**
     * Sets how the pool is switched to a verified pair.
     *
     * @param applier the switch
     * @return this builder
     */
    public Builder applier(Applier applier) {
      this.applier = Objects.requireNonNull(applier, "applier must not be null");
      return this;
    }

    /**
     * Sets the first wait after a refused check; each further refusal doubles it up to the
     * maximum. Default 1 s.
     *
     * @param initialBackoff a positive duration
     * @return this builder
     */
    public Builder initialBackoff(Duration initialBackoff) {
      Objects.requireNonNull(initialBackoff, "initialBackoff must not be null");
      if (initialBackoff.isNegative() || initialBackoff.isZero()) {
        throw new IllegalArgumentException("initialBackoff must be positive, but was " + initialBackoff);
      }
      this.initialBackoff = initialBackoff;
      return this;
    }

    /**
     * Sets the longest wait between checks. Default 60 s.
     *
     * @param maxBackoff a positive duration
     * @return this builder
     */
    public Builder maxBackoff(Duration maxBackoff) {
      Objects.requireNonNull(maxBackoff, "maxBackoff must not be null");
      if (maxBackoff.isNegative() || maxBackoff.isZero()) {
        throw new IllegalArgumentException("maxBackoff must be positive, but was " + maxBackoff);
      }
      this.maxBackoff = maxBackoff;
      return this;
    }

    /**
     * Sets the clock for status timestamps. Default the system UTC clock.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock must not be null");
      return this;
    }

    /**
     * Reads the current credentials and starts following the mount.
     *
     * @return the running rotation; close it to stop
     * @throws IllegalStateException if no source, verifier or applier was set
     * @throws SecretNotFoundException if the mount does not hold the credentials now
     */
    public CredentialsRotation build() {
      if (source == null) {
        throw new IllegalStateException("set jsonSecret(key) or keys(usernameKey, passwordKey) "
            + "before build()");
      }
      if (verifier == null || applier == null) {
        throw new IllegalStateException("set verifier(...) and applier(...) before build()");
      }
      if (maxBackoff.compareTo(initialBackoff) < 0) {
        throw new IllegalArgumentException("maxBackoff must not be shorter than initialBackoff ("
            + initialBackoff + "), but was " + maxBackoff);
      }
      return new CredentialsRotation(this);
    }
  }
}
