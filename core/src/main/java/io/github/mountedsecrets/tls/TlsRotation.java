package io.github.mountedsecrets.tls;

import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.SecretsChangedEvent;
import io.github.mountedsecrets.SecretsSnapshot;
import io.github.mountedsecrets.Subscription;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the TLS material of a mount and moves to new material only once it has been checked:
 * the certificate chain and private key of each rotation are read from one consistent
 * snapshot and must pass {@link TlsMaterial}'s checks (key matches certificate, chain in
 * order, every certificate valid now) before {@link #current()} returns them and subscribers
 * hear of them.
 *
 * <pre>{@code
 * TlsRotation tls = TlsRotation.builder(secrets)
 *     .name("web")
 *     .keys(TlsKeys.of("tls.crt", "tls.key"))
 *     .build();                       // throws if the mount's material is unusable
 * tls.onUpdate(material -> server.reload(material.sslContext()));
 * }</pre>
 *
 * <p>A generation that is mismatched (a provider writing files one by one puts the new key
 * down before the new certificate), half-written, unparsable or expired keeps the previous
 * material in service; it is logged once at WARN with the keys and the reason (never key
 * bytes) and shows in {@link #status()}; the material is read again at the next change of one
 * of its keys. Starting with unusable material, including an expired certificate, is an
 * error: {@link Builder#build()} throws {@link TlsMaterialException} naming the key and the
 * date.
 *
 * <h2>Concurrency</h2>
 *
 * <p>Checks and switches run on the mount's event thread, in the order of the mount's
 * changes. The checks (parsing, key derivation of an encrypted key, which can take seconds)
 * run outside this rotation's lock, and only the switch under it, so {@link #status()}, which
 * health checks call, never waits for them; the served material sits in one volatile field,
 * so {@link #current()} never waits either. Subscribers run on the event thread after the
 * switch, one after the other; an exception a subscriber throws is logged (type only) and
 * swallowed, and the other subscribers still run.
 */
public final class TlsRotation implements AutoCloseable {
  /** Default time before a certificate's end of validity from which it is reported. */
  public static final Duration DEFAULT_EXPIRY_WARNING = Duration.ofDays(14);
  private static final Logger LOG = LoggerFactory.getLogger(TlsRotation.class);

  /** Receives each verified change of the material. */
  @FunctionalInterface
  public interface Listener {
    /**
     * Called once for each verified change, after {@link TlsRotation#current()} returns it.
     *
     * @param material the new material
     */
    void onUpdate(TlsMaterial material);
  }

  private final MountedSecrets secrets;
  private final String name;
  private final TlsKeys keys;
  private final Duration expiryWarning;
  private final Clock clock;
  private final CopyOnWriteArrayList<Listener> listeners = new CopyOnWriteArrayList<>();
  private final Object lock = new Object();
  private final Subscription subscription;

  private volatile TlsMaterial current;
  /** Set under lock; read without it to skip the checks of a closed rotation. */
  private volatile boolean closed;

  // Guarded by lock.
  /** The mount revision whose material was last checked: an older one is not applied. */
  private long checkedRevision;
  private Instant servedSince;
  private long updates;
  private long rejections;
  private String lastRejection;
  private Instant lastRejectedAt;
  private String reported;

  private TlsRotation(Builder builder) {
    this.secrets = builder.secrets;
    this.name = builder.name;
    this.keys = builder.keys;
    this.expiryWarning = builder.expiryWarning;
    this.clock = builder.clock;
    // Subscribe before the first read so that no change between the two goes unnoticed; the
    // lock orders the first read before any event's.
    synchronized (lock) {
      this.subscription = secrets.onChange(this::changed);
      SecretsSnapshot snapshot = secrets.snapshot();
      Instant now = clock.instant();
      checkedRevision = snapshot.revision();
      try {
        current = TlsMaterial.read(snapshot, keys, now);
      } catch (RuntimeException | StackOverflowError e) {
        closed = true; // an event already waiting for the lock finds nothing to update
        subscription.close();
        throw new TlsMaterialException("TLS '" + name + "' in " + secrets.directory() + ": "
            + reason(e));
      }
      servedSince = now;
    }
    LOG.info("{}: TLS '{}' serves {}", secrets.directory(), name, describe(current));
    warnIfExpiringSoon(current);
  }

  /**
   * Returns a builder for a rotation over one mount.
   *
   * @param secrets the mount
   * @return a new builder
   */
  public static Builder builder(MountedSecrets secrets) {
    return new Builder(secrets);
  }

  /**
   * Returns the material in service: the last that passed every check.
   *
   * @return the material, never null
   */
  public TlsMaterial current() {
    return current;
  }

  /**
   * Returns the rotation's name, as logs and status show it.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * Returns the keys the material is read from.
   *
   * @return the keys
   */
  public TlsKeys keys() {
    return keys;
  }

  /**
   * Returns a report on the served certificate and the last refused generation; days left
   * are computed at this call.
   *
   * @return the status
   */
  public TlsStatus status() {
    Instant now = clock.instant();
    synchronized (lock) {
      return build(now);
    }
  }

  /**
   * Subscribes to verified changes.
   *
   * @param listener called on the mount's event thread after each switch
   * @return a handle whose {@code close()} unsubscribes
   */
  public Subscription onUpdate(Listener listener) {
    Objects.requireNonNull(listener, "listener");
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /** Stops following the mount; {@link #current()} keeps returning the last material. */
  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
    }
    subscription.close();
    listeners.clear();
  }

  // ---------------------------------------------------------------------------------------

  private void changed(SecretsChangedEvent event) {
    if (keys.all().stream().noneMatch(event::affects)) {
      return;
    }
    if (closed) {
      return;
    }
    // Checked outside the lock: status() must not wait for a key derivation. Events come one
    // at a time, so only the first read, in the constructor, can be newer than this one.
    SecretsSnapshot snapshot = event.current();
    Instant now = clock.instant();
    TlsMaterial next = null;
    String refusal = null;
    try {
      next = TlsMaterial.read(snapshot, keys, now);
    } catch (RuntimeException | StackOverflowError e) {
      refusal = reason(e);
    }
    synchronized (lock) {
      if (closed || snapshot.revision() <= checkedRevision) {
        return;
      }
      checkedRevision = snapshot.revision();
      if (refusal != null) {
        rejected(refusal, snapshot.revision(), now);
        return;
      }
      boolean recovered = reported != null;
      reported = null;
      if (next.sameAs(current)) {
        return;
      }
      current = next;
      servedSince = now;
      updates++;
      if (recovered) {
        LOG.info("{}: TLS '{}' switched to {} after a refused generation", secrets.directory(),
            name, describe(next));
      } else {
        LOG.info("{}: TLS '{}' switched to {}", secrets.directory(), name, describe(next));
      }
    }
    warnIfExpiringSoon(next);
    for (Listener listener : listeners) {
      try {
        listener.onUpdate(next);
      } catch (RuntimeException e) {
        LOG.warn("{}: TLS '{}': update listener {} threw {}; other listeners still run",
            secrets.directory(), name, listener.getClass().getName(), e.getClass().getName());
      }
    }
  }

  /**
   * Why material was refused: a {@link TlsMaterialException}'s message, which never quotes
   * key bytes; for a failure the checks did not foresee, its type only (its message might quote
   * what was parsed), and the generation is refused all the same rather than failing the
   * mount's listener.
   */
  private static String reason(Throwable e) {
    return e instanceof TlsMaterialException ? e.getMessage()
        : "the material could not be read (" + e.getClass().getName() + ")";
  }

  private void rejected(String reason, long revision, Instant now) {
    // Called under lock.
    rejections++;
    lastRejection = reason;
    lastRejectedAt = now;
    if (!reason.equals(reported)) {
      reported = reason;
      LOG.warn("{}: TLS '{}': revision {} of the mount is not used, still serving {}: {}. "
          + "It is read again at the next change.", secrets.directory(), name, revision,
          describe(current), reason);
    }
  }

  private TlsStatus build(Instant now) {
    TlsStatus.State state = reported != null ? TlsStatus.State.REJECTED : TlsStatus.State.IN_SYNC;
    return new TlsStatus(name, secrets.directory(), keys, state, current, servedSince, now,
        expiryWarning, updates, rejections, lastRejection, lastRejectedAt);
  }

  private void warnIfExpiringSoon(TlsMaterial material) {
    Duration left = Duration.between(clock.instant(), material.notAfter());
    if (left.compareTo(expiryWarning) < 0) {
      LOG.warn("{}: TLS '{}': the certificate in '{}' ({}) expires on {}, in {} days (warning "
          + "below {} days)", secrets.directory(), name, keys.certificate(), material.subject(),
          material.notAfter(), left.toDays(), expiryWarning.toDays());
    }
  }

  private static String describe(TlsMaterial material) {
    return material.subject() + " (notAfter " + material.notAfter() + ", sha256 "
        + material.fingerprint().substring(0, 16) + ")";
  }

  @Override
  public String toString() {
    return "TlsRotation[" + name + ", " + secrets.directory() + ", " + keys + "]";
  }

  /** Configures a {@link TlsRotation}; each method checks its argument at once. */
  public static final class Builder {
    private final MountedSecrets secrets;
    private String name = "default";
    private TlsKeys keys;
    private Duration expiryWarning = DEFAULT_EXPIRY_WARNING;
    private Clock clock = Clock.systemUTC();

    private Builder(MountedSecrets secrets) {
      this.secrets = Objects.requireNonNull(secrets, "secrets");
    }

    /**
     * Sets the name that logs, status and metrics show, such as the SSL bundle's name.
     *
     * @param name a non-blank name; default {@code default}
     * @return this builder
     */
    public Builder name(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("name must not be blank, but was '" + name + "'");
      }
      this.name = name;
      return this;
    }

    /**
     * Sets the keys holding the material.
     *
     * @param keys the keys; required
     * @return this builder
     */
    public Builder keys(TlsKeys keys) {
      this.keys = Objects.requireNonNull(keys, "keys");
      return this;
    }

    /**
     * Sets how long before the end of validity the certificate is reported as expiring soon.
     *
     * @param expiryWarning zero or positive; default 14 days
     * @return this builder
     */
    public Builder expiryWarning(Duration expiryWarning) {
      Objects.requireNonNull(expiryWarning, "expiryWarning");
      if (expiryWarning.isNegative()) {
        throw new IllegalArgumentException("expiryWarning must not be negative, but was "
            + expiryWarning);
      }
      this.expiryWarning = expiryWarning;
      return this;
    }

    /**
     * Sets the clock for validity checks and days left.
     *
     * @param clock the clock; default the system UTC clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Reads and checks the mount's material and starts following the mount.
     *
     * @return the running rotation
     * @throws IllegalStateException if no keys were set
     * @throws TlsMaterialException if the material cannot be used, naming the rotation, the
     *     keys and the reason (for an expired certificate, the key and the date)
     */
    public TlsRotation build() {
      if (keys == null) {
        throw new IllegalStateException("keys must be set (TlsKeys.of(certificate, privateKey))");
      }
      return new TlsRotation(this);
    }

    @Override
    public String toString() {
      return "TlsRotation.Builder[" + name + ", " + keys + "]";
    }
  }
}
