package io.github.mountedsecrets.micrometer;

/** Names and tags of the meters {@link MountedSecretsMetrics} registers. */
public final class MetricNames {
  /** Common prefix of every meter. */
  public static final String PREFIX = "mounted.secrets";
  /** Gauge: number of keys served. */
  public static final String KEYS = PREFIX + ".keys";
  /** Counter: reloads, tagged {@value #RESULT_TAG} = {@code success} or {@code failure}. */
  public static final String RELOADS = PREFIX + ".reloads";
  /** Counter: change events published. */
  public static final String CHANGES = PREFIX + ".changes";
  /** Gauge, seconds: time since the last successful reload; NaN before the first. */
  public static final String LAST_RELOAD_AGE = PREFIX + ".last.reload.age";
  /** Gauge: files that could not be used at the last read. */
  public static final String INVALID_FILES = PREFIX + ".invalid.files";
  /** Gauge: 1 while the served values may be out of date (mount gone or unreadable), else 0. */
  public static final String STALE = PREFIX + ".stale";
  /** Counter: change listeners that threw. */
  public static final String LISTENER_FAILURES = PREFIX + ".listener.failures";
  /** Gauge, days: time left until the served TLS certificate's end of validity, tagged {@value #TLS_TAG}. */
  public static final String TLS_DAYS_LEFT = PREFIX + ".tls.days.left";
  /** Gauge, seconds since the epoch: the served TLS certificate's {@code notAfter}, tagged {@value #TLS_TAG}. */
  public static final String TLS_NOT_AFTER = PREFIX + ".tls.not.after";
  /** Counter: generations of TLS material refused (mismatched, unparsable, not valid), tagged {@value #TLS_TAG}. */
  public static final String TLS_REJECTIONS = PREFIX + ".tls.rejections";
  /** Tag on the TLS meters: the name of the TLS rotation (the SSL bundle). */
  public static final String TLS_TAG = "bundle";
  /** Tag on every meter: the mount directory. */
  public static final String MOUNT_TAG = "mount";
  /** Tag on {@link #RELOADS}: the outcome. */
  public static final String RESULT_TAG = "result";

  private MetricNames() {}
}
