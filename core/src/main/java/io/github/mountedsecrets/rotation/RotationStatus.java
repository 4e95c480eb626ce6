package io.github.mountedsecrets.rotation;

import java.sql.SQLException;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What {@link CredentialsRotation#status()} reports: whether the pool uses the mount's
 * credentials and, if not, why. Names no credential: a failure is described by its exception
 * type and, for SQL errors, the SQLState and vendor code, never by its message, since JDBC
 * drivers quote the user name in theirs.
 */
public final class RotationStatus {
  private final RotationState state;
  private final long revision;
  private final Long pendingRevision;
  private final long failedAttempts;
  private final long switches;
  private final Instant lastSwitchAt;
  private final Instant lastFailureAt;
  private final String failureReason;

  RotationStatus(RotationState state, long revision, Long pendingRevision, long failedAttempts,
      long switches, Instant lastSwitchAt, Instant lastFailureAt, String failureReason) {
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
   * Describes a failure without its message: the exception type and, for the first SQL
   * error in its causes, the SQLState and vendor code.
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

  /**
   * Returns what health checks show for this rotation, with the same keys in every
   * framework: {@code state}, {@code revision}, {@code failedAttempts}, {@code switches},
   * and when known {@code pendingRevision}, {@code lastSwitchAt}, {@code lastFailureAt}
   * (ISO-8601 text) and {@code failureReason}. Never a user name or password.
   *
   * @return an ordered, unmodifiable map of details
   */
  public Map<String, Object> details() {
    Map<String, Object> details = new LinkedHashMap<>();
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
    return Collections.unmodifiableMap(details);
  }

  /**
   * Returns whether the pool uses the mount's credentials.
   *
   * @return the state
   */
  public RotationState state() {
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
    return "RotationStatus[state=" + state + ", revision=" + revision
        + ", pendingRevision=" + pendingRevision + ", failedAttempts=" + failedAttempts
        + ", switches=" + switches + ", failureReason=" + failureReason + "]";
  }
}
