package io.github.mountedsecrets.quarkus;

import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.micrometer.MountedSecretsMetrics;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.quarkus.arc.Unremovable;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Hands core's meters to Quarkus Micrometer, which binds every {@link MeterBinder} bean to
 * its registry. Registered only when the application has {@code quarkus-micrometer}.
 */
@Singleton
public final class MountedSecretsMetricsProducer {
  @Produces
  @Singleton
  @Unremovable
  MeterBinder mountedSecretsMetrics(MountedSecrets secrets) {
    return new MountedSecretsMetrics(secrets);
  }
}
