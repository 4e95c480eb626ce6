package io.github.mountedsecrets.tls;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A report on one {@link TlsRotation} for health checks, endpoints and metrics: the served
 * certificate (subject, fingerprint, end of validity, days left), whether it expires soon, and
 * the last generation of the mount that was refused and why. Never a key or a password.
 */
public final class TlsStatus {
  /** Whether the served material is the mount's current content. */
  public enum State {
    /** The served material is what the mount holds. */
    IN_SYNC,
    /**
     * The mount holds material that was refused (mismatched, half-written, unparsable or not
     * valid now); the previous material stays in service until the mount changes again.
     */
    REJECTED
  }

  private final String name;
  private final Path directory;
  private final TlsKeys keys;
  private final State state;
  private final String subject;
  private final String fingerprint;
  private final Instant notAfter;
  private final Instant now;
  private final Duration expiryWarning;
  private final Instant servedSince;
  private final long updates;
  private final long rejections;
  private final String lastRejection;
  private final Instant lastRejectedAt;

  TlsStatus(String name, Path directory, TlsKeys keys, State state, TlsMaterial served,
      Instant servedSince, Instant now, Duration expiryWarning, long updates, long rejections,
      String lastRejection, Instant lastRejectedAt) {
    this.name = name;
    this.directory = directory;
    this.keys = keys;
    this.state = state;
    this.subject = served.subject();
    this.fingerprint = served.fingerprint();
    this.notAfter = served.notAfter();
    this.now = now;
    this.expiryWarning = expiryWarning;
    this.servedSince = servedSince;
    this.updates = updates;
    this.rejections = rejections;
    this.lastRejection = lastRejection;
    this.lastRejectedAt = lastRejectedAt;
  }

  /**
   * Returns the rotation's name.
   *
   * @return the name
   */
  public String name() {
    return name;
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
   * Returns the keys the material is read from.
   *
   * @return the keys
   */
  public TlsKeys keys() {
    return keys;
  }

  /**
   * Returns whether the served material is the mount's current content.
   *
   * @return the state
   */
  public State state() {
    return state;
  }

  /**
   * Returns the served leaf certificate's subject.
   *
   * @return the RFC 2253 name
   */
  public String subject() {
    return subject;
  }

  /**
   * Returns the SHA-256 fingerprint of the served leaf certificate.
   *
   * @return lower-case hex
   */
  public String fingerprint() {
    return fingerprint;
  }

  /**
   * Returns the end of the served certificate's validity.
   *
   * @return its {@code notAfter}
   */
  public Instant notAfter() {
    return notAfter;
  }

  /**
   * Returns the time left until {@link #notAfter()} in days, with fractions; negative once
   * expired.
   *
   * @return the days left
   */
  public double daysLeft() {
    return Duration.between(now, notAfter).getSeconds() / 86_400.0;
  }

  /**
   * Returns whether the served certificate has expired.
   *
   * @return true once {@link #notAfter()} has passed
   */
  public boolean expired() {
    return now.isAfter(notAfter);
  }

  /**
   * Returns whether the served certificate expires within the warning threshold (or has
   * expired).
   *
   * @return true below the threshold
   */
  public boolean expiringSoon() {
    return Duration.between(now, notAfter).compareTo(expiryWarning) < 0;
  }

  /**
   * Returns the warning threshold.
   *
   * @return how long before {@link #notAfter()} {@link #expiringSoon()} turns true
   */
  public Duration expiryWarning() {
    return expiryWarning;
  }

  /**
   * Returns when the served material was switched to (or first read).
   *
   * @return the time
   */
  public Instant servedSince() {
    return servedSince;
  }

  /**
   * Returns how many verified changes were switched to since the start.
   *
   * @return the count
   */
  public long updates() {
    return updates;
  }

  /**
   * Returns how many generations of the mount were refused since the start.
   *
   * @return the count
   */
  public long rejections() {
    return rejections;
  }

  /**
   * Returns why the last refused generation was refused (keys and reason, no value).
   *
   * @return the reason, or empty if none was ever refused
   */
  public Optional<String> lastRejection() {
    return Optional.ofNullable(lastRejection);
  }

  /**
   * Returns when a generation was last refused.
   *
   * @return the time, or empty
   */
  public Optional<Instant> lastRejectedAt() {
    return Optional.ofNullable(lastRejectedAt);
  }

  /**
   * Returns what health checks show for this rotation, with the same keys in every framework:
   * {@code mount}, {@code state}, {@code subject}, {@code fingerprint}, {@code notAfter},
   * {@code daysLeft} (a {@code Double} rounded down to tenths), {@code expiringSoon},
   * {@code expiryWarning}, {@code servedSince}, {@code updates}, {@code rejections}, and once a
   * generation was refused {@code lastRejection} and {@code lastRejectedAt}. Times and durations
   * are ISO-8601 text. Public data, names and reasons only, never a key or a password.
   *
   * @return an ordered, unmodifiable map of details
   */
  public Map<String, Object> details() {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("mount", directory.toString());
    details.put("state", state.name());
    details.put("subject", subject);
    details.put("fingerprint", fingerprint);
    details.put("notAfter", notAfter.toString());
    details.put("daysLeft", Math.floor(daysLeft() * 10) / 10);
    details.put("expiringSoon", expiringSoon());
    details.put("expiryWarning", expiryWarning.toString());
    details.put("servedSince", servedSince.toString());
    details.put("updates", updates);
    details.put("rejections", rejections);
    if (lastRejection != null) {
      details.put("lastRejection", lastRejection);
    }
    if (lastRejectedAt != null) {
      details.put("lastRejectedAt", lastRejectedAt.toString());
    }
    return Collections.unmodifiableMap(details);
  }

  @Override
  public String toString() {
    return "TlsStatus[" + name + ", " + state + ", " + subject + ", notAfter " + notAfter
        + String.format(java.util.Locale.ROOT, ", %.1f days left", daysLeft())
        + (expiringSoon() ? ", expiring soon" : "") + ", updates " + updates + ", rejections "
        + rejections + (lastRejection == null ? "" : ", last rejection: " + lastRejection) + "]";
  }
}
