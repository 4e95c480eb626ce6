package io.github.mountedsecrets.micrometer;

import io.github.mountedsecrets.MountState;
import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.MountStatus;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Registers a mount's meters with Micrometer: key count, reloads by result, changes,
 * seconds since the last successful reload, invalid files and staleness, all named under
 * {@value MetricNames#PREFIX} and tagged with the mount path. Meters carry counts and
 * times only, never values.
 *
 * <p>Micrometer is an optional dependency of the core; this class is the only one that
 * uses it, so nothing else needs it on the class path.
 */
public final class MountedSecretsMetrics implements MeterBinder {
  private final MountedSecrets secrets;
  private final Iterable<Tag> tags;
  private final Clock clock;

  /**
   * Creates a binder for one instance.
   *
   * @param secrets the instance to report on
   */
  public MountedSecretsMetrics(MountedSecrets secrets) {
    this(secrets, Tags.empty(), Clock.systemUTC());
  }

  /**
   * Creates a binder for one instance with extra tags.
   *
   * @param secrets the instance to report on
   * @param extraTags tags added to every meter besides {@code mount}
   * @param clock the clock used to compute the age of the last reload
   */
  public MountedSecretsMetrics(MountedSecrets secrets, Iterable<Tag> extraTags, Clock clock) {
    this.secrets = Objects.requireNonNull(secrets, "secrets");
    this.tags = Tags.of(extraTags).and(MetricNames.MOUNT_TAG, secrets.directory().toString());
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    MountedSecrets s = secrets;
    Gauge.builder(MetricNames.KEYS, s, m -> m.status().keyCount())
        .description("Number of keys served from the mount")
        .tags(tags)
        .register(registry);
    FunctionCounter.builder(MetricNames.RELOADS, s, m -> m.status().successfulReloads())
        .description("Reloads of the mount")
        .tags(tags)
        .tag(MetricNames.RESULT_TAG, "success")
        .register(registry);
    FunctionCounter.builder(MetricNames.RELOADS, s, m -> m.status().failedReloads())
        .description("Reloads of the mount")
        .tags(tags)
        .tag(MetricNames.RESULT_TAG, "failure")
        .register(registry);
    FunctionCounter.builder(MetricNames.CHANGES, s, m -> m.status().changes())
        .description("Changes of the mount's content published as events")
        .tags(tags)
        .register(registry);
    Gauge.builder(MetricNames.LAST_RELOAD_AGE, s, this::secondsSinceLastSuccess)
        .description("Seconds since the mount was last read successfully")
        .baseUnit("seconds")
        .tags(tags)
        .register(registry);
    Gauge.builder(MetricNames.INVALID_FILES, s, m -> m.status().invalidFiles().size())
        .description("Files of the mount that could not be used at the last read")
        .tags(tags)
        .register(registry);
    Gauge.builder(MetricNames.STALE, s, m -> m.status().state() == MountState.READY ? 0 : 1)
        .description("1 while the served secrets may be out of date, else 0")
        .tags(tags)
        .register(registry);
    FunctionCounter.builder(MetricNames.LISTENER_FAILURES, s, m -> m.status().listenerFailures())
        .description("Change listeners that threw; the other listeners still ran")
        .tags(tags)
        .register(registry);
  }

  private double secondsSinceLastSuccess(MountedSecrets s) {
    MountStatus status = s.status();
    return status.lastSuccessAt()
        .map(at -> Duration.between(at, Instant.now(clock)).toNanos() / 1e9)
        .orElse(Double.NaN);
  }
}
