package io.github.mountedsecrets.quarkus;

import io.github.mountedsecrets.tls.TlsStatus;
import java.util.Map;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

/**
 * Readiness of the TLS configurations served from the mount ({@code mounted-secrets-tls}): for
 * each configuration, under {@code <name>.}, core's {@link TlsStatus#details()} with the same
 * keys as the Spring Boot starter's SSL bundles' health indicator: the mount, the served
 * certificate (subject, SHA-256 fingerprint, {@code notAfter}, {@code daysLeft} as text with
 * tenths, whether it expires within the warning threshold), whether the mount's current
 * material was refused and why, and counters. Never a key or a password.
 *
 * <p>DOWN while a configuration serves an expired certificate (clients refuse it); otherwise
 * UP, also while a refused generation keeps the previous material in service or the
 * certificate expires soon, which the data says.
 *
 * <p>Registered at startup by {@link MountedTlsHealthRegistration}, and only when the
 * application has TLS configurations from the mount.
 */
public final class MountedTlsHealthCheck implements HealthCheck {
  private final MountedTlsConfigurations configurations;

  MountedTlsHealthCheck(MountedTlsConfigurations configurations) {
    this.configurations = configurations;
  }

  @Override
  public HealthCheckResponse call() {
    boolean expired = false;
    HealthCheckResponseBuilder response = HealthCheckResponse.named("mounted-secrets-tls");
    for (Map.Entry<String, TlsStatus> entry : configurations.statuses().entrySet()) {
      expired |= entry.getValue().expired();
      String prefix = entry.getKey() + ".";
      entry.getValue().details().forEach((name, value) ->
          HealthData.put(response, prefix + name, value));
    }
    return response.status(!expired).build();
  }

  @Override
  public String toString() {
    return "MountedTlsHealthCheck" + configurations.statuses().keySet();
  }
}
