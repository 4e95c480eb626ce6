package io.github.mountedsecrets.quarkus;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.health.api.HealthRegistry;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.Readiness;

/**
 * Registers the {@code mounted-secrets-tls} readiness check ({@link MountedTlsHealthCheck}) at
 * startup when the application has at least one TLS configuration from the mount, so that an
 * application without any shows no empty check. A bean only when the application has SmallRye
 * Health, the TLS registry and {@code quarkus.mounted-secrets.health.enabled} (the default).
 */
@Singleton
public final class MountedTlsHealthRegistration {
  /** The check's name in the readiness report. */
  public static final String NAME = "mounted-secrets-tls";

  private final HealthRegistry readiness;
  private final MountedTlsConfigurations configurations;

  MountedTlsHealthRegistration(@Readiness HealthRegistry readiness,
      MountedTlsConfigurations configurations) {
    this.readiness = readiness;
    this.configurations = configurations;
  }

  /** After the configurations were created ({@link MountedTlsConfigurations} observes first). */
  void onStart(@Observes @Priority(1) StartupEvent event) {
    if (!configurations.rotations().isEmpty()) {
      readiness.register(NAME, new MountedTlsHealthCheck(configurations));
    }
  }
}
