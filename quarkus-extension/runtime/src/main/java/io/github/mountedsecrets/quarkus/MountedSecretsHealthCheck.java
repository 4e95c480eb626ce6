package io.github.mountedsecrets.quarkus;

import io.github.mountedsecrets.CredentialsRotation;
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
final class MountedSecretsHealthCheck implements HealthCheck {
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
        .withData("mount", status.directory().toString())
        .withData("state", status.state().name())
        .withData("layout", status.layout().name())
        .withData("keys", status.keyCount())
        .withData("revision", status.revision())
        .withData("lastReloadResult", status.lastReloadResult().name())
        .withData("invalidFiles", status.invalidFiles().size());
    status.lastSuccessAt().ifPresent(at -> response.withData("lastSuccessAt", at.toString()));
    status.staleSince().ifPresent(at -> response.withData("staleSince", at.toString()));
    status.failureReason().ifPresent(reason -> response.withData("failureReason", reason));
    for (Map.Entry<String, CredentialsRotation.Status> entry : credentials.statuses().entrySet()) {
      String prefix = "credentials." + entry.getKey() + ".";
      CredentialsRotation.Status rotation = entry.getValue();
      response.withData(prefix + "state", rotation.state().name());
      response.withData(prefix + "revision", rotation.revision());
      response.withData(prefix + "switches", rotation.switches());
      rotation.pendingRevision().ifPresent(r -> response.withData(prefix + "pendingRevision", r));
      if (rotation.failedAttempts() > 0) {
        response.withData(prefix + "failedAttempts", rotation.failedAttempts());
      }
      rotation.failureReason().ifPresent(r -> response.withData(prefix + "failureReason", r));
    }
    return response.build();
  }
}
