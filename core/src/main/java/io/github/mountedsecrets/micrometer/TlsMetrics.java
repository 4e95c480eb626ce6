package io.github.mountedsecrets.micrometer;

import io.github.mountedsecrets.tls.TlsRotation;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Registers the meters of one {@link TlsRotation}: days left until the served certificate
 * expires ({@value MetricNames#TLS_DAYS_LEFT}), its {@code notAfter}
 * ({@value MetricNames#TLS_NOT_AFTER}) and refused generations
 * ({@value MetricNames#TLS_REJECTIONS}), tagged with the mount and the rotation's name.
 */
public final class TlsMetrics implements MeterBinder {
  private final TlsRotation rotation;
  private final Iterable<Tag> tags;

  /**
   * Creates a binder for one rotation.
   *
   * @param rotation the rotation to report on
   * @param directory the mount directory, for the {@code mount} tag
   */
  public TlsMetrics(TlsRotation rotation, Path directory) {
    this.rotation = Objects.requireNonNull(rotation, "rotation");
    this.tags = Tags.of(MetricNames.MOUNT_TAG, directory.toString(),
        MetricNames.TLS_TAG, rotation.name());
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    Gauge.builder(MetricNames.TLS_DAYS_LEFT, rotation, r -> r.status().daysLeft())
        .description("Days until the served TLS certificate expires; negative once expired")
        .baseUnit("days")
        .tags(tags)
        .register(registry);
    Gauge.builder(MetricNames.TLS_NOT_AFTER, rotation,
            r -> r.current().notAfter().getEpochSecond())
        .description("End of validity of the served TLS certificate, seconds since the epoch")
        .baseUnit("seconds")
        .tags(tags)
        .register(registry);
    FunctionCounter.builder(MetricNames.TLS_REJECTIONS, rotation, r -> r.status().rejections())
        .description("Generations of TLS material in the mount that were refused")
        .tags(tags)
        .register(registry);
  }
}
