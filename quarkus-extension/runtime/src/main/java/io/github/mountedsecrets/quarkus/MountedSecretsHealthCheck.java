package io.github.mountedsecrets.quarkus;

import io.github.mountedsecrets.rotation.RotationStatus;
import io.github.mountedsecrets.rotation.CredentialsRotation;
import io.github.mountedsecrets.MountState;
import io.github.mountedsecrets.MountStatus;
import io.github.mountedsecrets.MountedSecrets;
import jakarta.inject.Singleton;
import java.util.Map;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness of the mount: state, layout, key count, revision, last reload result and time,
 * staleness, invalid files and each credentials rotation's state. Names and counts only,
 * never a value.
 *
 * <p>DOWN while nothing has ever been read ({@link MountState#MISSING}, possible with
 * {@code require-mount=false}) or the reload thread stopped ({@link MountState#STOPPED};
 * see {@link MountStatus#down()}). A stale mount and refused new credentials keep serving the
 * last good values, so they are reported in the data and stay UP: taking every replica out
 * of service at once during a rotation would be worse than what they are doing.
 */
@Readiness
@Singleton
public final class MountedSecretsHealthCheck implements HealthCheck {
  private final MountedSecrets secrets;
  private final MountedSecretsCredentialsProvider credentials;

  MountedSecretsHealthCheck(MountedSecrets secrets, MountedSecretsCredentialsProvider credentials) {
    this.secrets = secrets;
    this.credentials = credentials;
  }

  @Override
  public HealthCheckResponse call() {
    MountStatus status = secrets.status();
    HealthCheckResponseBuilder response = HealthCheckResponse.named("mounted-secrets")
        .status(!status.down())
        .withData("mount", status.directory().toString());
    // Core's details, under the same keys as the Spring Boot starter's health indicator.
    status.details().forEach((name, value) -> HealthData.put(response, name, value));
    for (Map.Entry<String, RotationStatus> entry : credentials.statuses().entrySet()) {
      String prefix = "credentials." + entry.getKey() + ".";
      entry.getValue().details().forEach((name, value) -> HealthData.put(response, prefix + name, value));
    }
    return response.build();
  }
}
