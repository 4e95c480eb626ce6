package io.github.mountedsecrets.rotation;

import io.github.mountedsecrets.DatabaseCredentials;
import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.SecretNotFoundException;
import io.github.mountedsecrets.SecretsChangedEvent;
import io.github.mountedsecrets.SecretsSnapshot;
import java.sql.Driver;
import java.sql.DriverManager;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

/**
 * Moves a connection pool to new database credentials when they rotate in the mount,
 * but only once the database accepts them.
 *
 * <p>When the keys behind the credentials change, the new pair (read from one snapshot, so
 * username and password always belong together) is first checked by the {@link CredentialsVerifier},
 * typically a {@link JdbcVerifier} that opens one connection with it. If it is accepted,
 * {@link #current()} returns the new pair and the pool is switched: by a {@link PoolSwitch}
 * (hand over the pair, retire the connections, follow-up evictions; see
 * {@link Builder#pool(PoolSwitch)}) or by a plain {@link CredentialsApplier}. If it is refused, or the
 * switch fails, the current pair stays in use, a warning is logged, and the check is retried
 * with exponential backoff and jitter until it succeeds or the mount changes again. This
 * covers a mount that changes before the database accepts the new password.
 *
 * <p>Checks, switches and follow-up evictions run on one daemon thread per rotation
 * ({@code mounted-secrets-rotation[<name>]}), never on a reader's or the event thread, and
 * stop on {@link #close()}. Logs and {@link #status()} name the rotation, revisions and
 * failure types (for SQL errors, the SQLState and vendor code), never a username, password
 * or driver message, since drivers quote the user name.
 */
public final class CredentialsRotation implements AutoCloseable {

  private final String name;
  private final FollowUpEvictions followUps;
  private final RotationLoop loop;

  private CredentialsRotation(Builder builder) {
    this.name = builder.name;
    String threadName = "mounted-secrets-rotation[" + name + "]";
    ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, threadName);
      thread.setDaemon(true);
      return thread;
    });
    String where = builder.secrets.directory() + ": " + name;
    this.followUps = new FollowUpEvictions(where, FollowUpEvictions.scheduler(executor),
        System::nanoTime);
    CredentialsApplier applier =
        builder.pool != null ? followUps.switching(builder.pool) : builder.applier;
    this.loop = new RotationLoop(builder.secrets, name, builder.source, builder.relevant,
        builder.verifier, applier, builder.clock,
        new Backoff(builder.initialBackoff, builder.maxBackoff, builder.random), executor);
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
   * it). Use {@link #handOut()} instead where a pool opens a connection with it.
   *
   * @return the credentials in use
   */
  public DatabaseCredentials current() {
    return loop.current();
  }

  /**
   * Returns {@link #current()} for a connection that is about to be opened, and records
   * that it was handed out. A pool that asks for credentials for each new connection (Agroal's
   * credentials provider, a DBCP2 connection factory) should ask here: when a pair was handed
   * out within the pool's {@linkplain PoolSwitch#openingBound() opening bound} before a
   * switch, that connection may join the pool after the switch's eviction, so the pool is
   * evicted again later.
   *
   * @return the credentials in use
   */
  public DatabaseCredentials handOut() {
    followUps.handedOut();
    return loop.current();
  }

  /**
   * Returns the state of the rotation, for health checks.
   *
   * @return the status
   */
  public RotationStatus status() {
    return loop.status();
  }

  /**
   * Returns the name this rotation was given, such as the data source's name.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * Stops following the mount, the retry and any follow-up eviction still due, and the
   * rotation's thread. The credentials in use stay as they are.
   */
  @Override
  public void close() {
    loop.close();
  }

  @Override
  public String toString() {
    RotationStatus status = loop.status();
    return "CredentialsRotation[name=" + name + ", mount=" + loop.directory() + ", state="
        + status.state() + ", revision=" + status.revision() + "]";
  }

  /**
   * Returns a verifier that opens one JDBC connection through {@link DriverManager} with
   * the credentials and checks it is valid.
   *
   * @param jdbcUrl the database's JDBC URL
   * @return the verifier
   * @see JdbcVerifier#of(String)
   */
  public static CredentialsVerifier jdbcVerifier(String jdbcUrl) {
    return JdbcVerifier.of(jdbcUrl);
  }

  /**
   * Returns a verifier that opens one connection with the given driver, for class loaders
   * where {@link DriverManager} cannot see the driver.
   *
   * @param driver the JDBC driver
   * @param jdbcUrl the database's JDBC URL
   * @return the verifier
   * @see JdbcVerifier#of(Driver, String, Properties)
   */
  public static CredentialsVerifier jdbcVerifier(Driver driver, String jdbcUrl) {
    return JdbcVerifier.of(driver, jdbcUrl, new Properties());
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
   * @see JdbcVerifier#of(Driver, String, Properties)
   */
  public static CredentialsVerifier jdbcVerifier(Driver driver, String jdbcUrl, Properties connectionProperties) {
    return JdbcVerifier.of(driver, jdbcUrl, connectionProperties);
  }

  /** Configures a {@link CredentialsRotation}. */
  public static final class Builder {
    final MountedSecrets secrets;
    String name = "dataSource";
    Function<SecretsSnapshot, DatabaseCredentials> source;
    Predicate<SecretsChangedEvent> relevant;
    CredentialsVerifier verifier;
    CredentialsApplier applier;
    PoolSwitch pool;
    Duration initialBackoff = Duration.ofSeconds(1);
    Duration maxBackoff = Duration.ofSeconds(60);
    Clock clock = Clock.systemUTC();
    RandomGenerator random = new SplittableRandom();

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
     * @param verifier the check, e.g. a {@link JdbcVerifier}
     * @return this builder
     */
    public Builder verifier(CredentialsVerifier verifier) {
      this.verifier = Objects.requireNonNull(verifier, "verifier must not be null");
      return this;
    }

    /**
     * Sets how the pool is switched to a verified pair, when it needs no follow-up
     * evictions; for a pool, prefer {@link #pool(PoolSwitch)}. Set this or {@code pool}.
     *
     * @param applier the switch
     * @return this builder
     */
    public Builder applier(CredentialsApplier applier) {
      this.applier = Objects.requireNonNull(applier, "applier must not be null");
      return this;
    }

    /**
     * Sets the pool to switch. On each switch the rotation hands the verified pair out from
     * {@link CredentialsRotation#current()}, calls {@link PoolSwitch#apply}, then
     * {@link PoolSwitch#evict}; if a connection may have been opening with the previous pair
     * (a {@link CredentialsRotation#handOut()} within the {@linkplain PoolSwitch#openingBound()
     * opening bound} before the switch, or {@link PoolSwitch#mayBeOpening()}), it evicts
     * again 200 ms after the switch and once more after the opening bound plus 250 ms. Set
     * this or {@code applier}.
     *
     * @param pool the pool's switch
     * @return this builder
     */
    public Builder pool(PoolSwitch pool) {
      this.pool = Objects.requireNonNull(pool, "pool must not be null");
      return this;
    }

    /**
     * Sets the first wait after a refused check. Each further wait is drawn at random between
     * this and three times the previous wait, capped at the maximum (decorrelated jitter, so
     * that many instances do not retry in step). Default 1 s.
     *
     * @param initialBackoff a positive duration
     * @return this builder
     */
    public Builder initialBackoff(Duration initialBackoff) {
      this.initialBackoff = Backoff.positive("initialBackoff", initialBackoff);
      return this;
    }

    /**
     * Sets the longest wait between checks. Default 60 s.
     *
     * @param maxBackoff a positive duration
     * @return this builder
     */
    public Builder maxBackoff(Duration maxBackoff) {
      this.maxBackoff = Backoff.positive("maxBackoff", maxBackoff);
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

    /** Sets the source of the backoff's jitter; tests pass a seeded one. */
    Builder random(RandomGenerator random) {
      this.random = Objects.requireNonNull(random, "random must not be null");
      return this;
    }

    /**
     * Reads the current credentials and starts following the mount.
     *
     * @return the running rotation; close it to stop
     * @throws IllegalStateException if no source, verifier, or applier or pool was set, or both
     * @throws SecretNotFoundException if the mount does not hold the credentials now
     */
    public CredentialsRotation build() {
      if (source == null) {
        throw new IllegalStateException("set jsonSecret(key) or keys(usernameKey, passwordKey) "
            + "before build()");
      }
      if (verifier == null || (applier == null && pool == null)) {
        throw new IllegalStateException("set verifier(...) and applier(...) or pool(...) before build()");
      }
      if (applier != null && pool != null) {
        throw new IllegalStateException("set applier(...) or pool(...), not both");
      }
      if (maxBackoff.compareTo(initialBackoff) < 0) {
        throw new IllegalArgumentException("maxBackoff must not be shorter than initialBackoff ("
            + initialBackoff + "), but was " + maxBackoff);
      }
      return new CredentialsRotation(this);
    }
  }
}
