package io.github.mountedsecrets.quarkus;

import io.github.mountedsecrets.micrometer.TlsMetrics;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.quarkus.arc.Unremovable;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Hands core's TLS meters to Quarkus Micrometer: for each TLS configuration the days left
 * until its served certificate expires, its {@code notAfter} and the refused generations,
 * tagged with the mount and the configuration's name ({@code bundle}). Registered only when
 * the application has {@code quarkus-micrometer} and the Quarkus TLS registry.
 */
@Singleton
public final class MountedTlsMetricsProducer {
  @Produces
  @Singleton
  @Unremovable
  MeterBinder mountedSecretsTlsMetrics(MountedTlsConfigurations configurations) {
    return registry -> configurations.rotations().values().forEach(rotation ->
        new TlsMetrics(rotation, rotation.status().directory()).bindTo(registry));
  }
}
