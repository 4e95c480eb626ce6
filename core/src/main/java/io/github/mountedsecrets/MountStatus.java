package io.github.mountedsecrets;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A point-in-time report on a mount, for health checks and metrics: layout, state, key
 * count, reload outcomes and files that could not be used. It names files and reasons,
 * never values.
 */
public final class MountStatus {
  private final Path directory;
  private final MountLayout layout;
  private final MountState state;
  private final int keyCount;
  private final long revision;
  private final ReloadResult lastReloadResult;
  private final Instant lastReloadAt;
  private final Instant lastSuccessAt;
  private final Instant lastChangeAt;
  private final Instant staleSince;
  private final String failureReason;
  private final Map<String, String> invalidFiles;
  private final long successfulReloads;
  private final long failedReloads;
  private final long changes;
  private final long listenerFailures;

  MountStatus(Path directory, MountLayout layout, MountState state, int keyCount, long revision,
      ReloadResult lastReloadResult, Instant lastReloadAt, Instant lastSuccessAt,
      Instant lastChangeAt, Instant staleSince, String failureReason,
      Map<String, String> invalidFiles, long successfulReloads, long failedReloads, long changes) {
    this(directory, layout, state, keyCount, revision, lastReloadResult, lastReloadAt,
        lastSuccessAt, lastChangeAt, staleSince, failureReason, invalidFiles, successfulReloads,
        failedReloads, changes, 0);
  }

  private MountStatus(Path directory, MountLayout layout, MountState state, int keyCount,
      long revision, ReloadResult lastReloadResult, Instant lastReloadAt, Instant lastSuccessAt,
      Instant lastChangeAt, Instant staleSince, String failureReason,
      Map<String, String> invalidFiles, long successfulReloads, long failedReloads, long changes,
      long listenerFailures) {
    this.directory = directory;
    this.layout = layout;
    this.state = state;
    this.keyCount = keyCount;
    this.revision = revision;
    this.lastReloadResult = lastReloadResult;
    this.lastReloadAt = lastReloadAt;
    this.lastSuccessAt = lastSuccessAt;
    this.lastChangeAt = lastChangeAt;
    this.staleSince = staleSince;
    this.failureReason = failureReason;
    this.invalidFiles = Collections.unmodifiableMap(new TreeMap<>(invalidFiles));
    this.successfulReloads = successfulReloads;
    this.failedReloads = failedReloads;
    this.changes = changes;
    this.listenerFailures = listenerFailures;
  }

  /** Returns this status with the number of listener failures so far. */
  MountStatus withListenerFailures(long failures) {
    return failures == listenerFailures ? this : new MountStatus(directory, layout, state,
        keyCount, revision, lastReloadResult, lastReloadAt, lastSuccessAt, lastChangeAt,
        staleSince, failureReason, invalidFiles, successfulReloads, failedReloads, changes,
        failures);
  }

  /**
   * Returns how many times a change listener threw (an exception or an error) since the
   * instance was built. The other listeners ran each time.
   *
   * @return the number of listener failures
   */
  public long listenerFailures() {
    return listenerFailures;
  }

  /**
   * Returns what health checks show for this mount, with the same keys in every framework:
   * {@code state}, {@code readable}, {@code stale}, {@code layout}, {@code keys},
   * {@code revision}, {@code lastReloadResult}, and when known {@code lastReloadAt},
   * {@code lastSuccessAt}, {@code lastChangeAt}, {@code staleSince} (ISO-8601 text),
   * {@code failureReason}, {@code invalidFiles} (file name to reason) and
   * {@code listenerFailures}. Names, counts and reasons only, never a value.
   *
   * @return an ordered, unmodifiable map of details
   */
  public Map<String, Object> details() {
    Map<String, Object> details = new java.util.LinkedHashMap<>();
    details.put("state", state.name());
    details.put("readable", state == MountState.READY);
    details.put("stale", state == MountState.STALE);
    details.put("layout", layout.name());
    details.put("keys", keyCount);
    details.put("revision", revision);
    details.put("lastReloadResult", lastReloadResult.name());
    putTime(details, "lastReloadAt", lastReloadAt);
    putTime(details, "lastSuccessAt", lastSuccessAt);
    putTime(details, "lastChangeAt", lastChangeAt);
    putTime(details, "staleSince", staleSince);
    if (failureReason != null) {
      details.put("failureReason", failureReason);
    }
    if (!invalidFiles.isEmpty()) {
      Map<String, String> printable = new java.util.LinkedHashMap<>();
      invalidFiles.forEach((name, reason) -> printable.put(Names.printable(name), reason));
      details.put("invalidFiles", Collections.unmodifiableMap(printable));
    }
    if (listenerFailures > 0) {
      details.put("listenerFailures", listenerFailures);
    }
    return Collections.unmodifiableMap(details);
  }

  private static void putTime(Map<String, Object> details, String name, Instant time) {
    if (time != null) {
      details.put(name, time.toString());
    }
  }

  /**
   * Returns whether a health check should report the mount as down: no secrets were ever
   * read ({@link MountState#MISSING}), or the reload thread stopped
   * ({@link MountState#STOPPED}). A {@link MountState#STALE} mount still serves its last
   * snapshot and counts as up.
   *
   * @return true while the application cannot rely on the mount
   */
  public boolean down() {
    return state == MountState.MISSING || state == MountState.STOPPED;
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
   * Returns the layout detected at the last successful read.
   *
   * @return the layout, {@link MountLayout#NONE} before any
   */
  public MountLayout layout() {
    return layout;
  }

  /**
   * Returns whether the served values are current.
   *
   * @return the state
   */
  public MountState state() {
    return state;
  }

  /**
   * Returns the number of keys served.
   *
   * @return the key count
   */
  public int keyCount() {
    return keyCount;
  }

  /**
   * Returns the revision of the current snapshot.
   *
   * @return the revision
   */
  public long revision() {
    return revision;
  }

  /**
   * Returns the outcome of the most recent reload attempt.
   *
   * @return the result
   */
  public ReloadResult lastReloadResult() {
    return lastReloadResult;
  }

  /**
   * Returns when the mount was last read, successfully or not.
   *
   * @return the time, or empty before the first attempt
   */
  public Optional<Instant> lastReloadAt() {
    return Optional.ofNullable(lastReloadAt);
  }

  /**
   * Returns when the mount was last read successfully.
   *
   * @return the time, or empty if it never was
   */
  public Optional<Instant> lastSuccessAt() {
    return Optional.ofNullable(lastSuccessAt);
  }

  /**
   * Returns when content last changed after startup.
   *
   * @return the time, or empty if nothing changed since the first load
   */
  public Optional<Instant> lastChangeAt() {
    return Optional.ofNullable(lastChangeAt);
  }

  /**
   * Returns since when the served values may be out of date.
   *
   * @return the time the mount became stale, or empty when it is not
   */
  public Optional<Instant> staleSince() {
    return Optional.ofNullable(staleSince);
  }

  /**
   * Returns why the last reload failed or why the mount is stale or missing.
   *
   * @return a reason naming the mount, never a value; empty when ready
   */
  public Optional<String> failureReason() {
    return Optional.ofNullable(failureReason);
  }

  /**
   * Returns the files that could not be used at the last read, with the reason for each.
   *
   * @return file name (relative to the mount) to reason; sorted, unmodifiable
   */
  public Map<String, String> invalidFiles() {
    return invalidFiles;
  }

  /**
   * Returns how many reloads succeeded since startup.
   *
   * @return the count
   */
  public long successfulReloads() {
    return successfulReloads;
  }

  /**
   * Returns how many reloads failed since startup.
   *
   * @return the count
   */
  public long failedReloads() {
    return failedReloads;
  }

  /**
   * Returns how many change events were published since startup.
   *
   * @return the count
   */
  public long changes() {
    return changes;
  }

  @Override
  public String toString() {
    return "MountStatus[mount=" + directory + ", layout=" + layout + ", state=" + state
        + ", keys=" + keyCount + ", revision=" + revision + ", lastReloadResult="
        + lastReloadResult + ", lastSuccessAt=" + lastSuccessAt + ", staleSince=" + staleSince
        + ", invalidFiles=" + printableNames() + "]";
  }

  private String printableNames() {
    StringBuilder sb = new StringBuilder("[");
    for (String name : invalidFiles.keySet()) {
      if (sb.length() > 1) {
        sb.append(", ");
      }
      sb.append(Names.printable(name));
    }
    return sb.append(']').toString();
  }
}
