package io.github.mountedsecrets.spring.actuate;

import io.github.mountedsecrets.CredentialsRotation;
import io.github.mountedsecrets.MountState;
import io.github.mountedsecrets.MountStatus;
import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.spring.jdbc.DataSourceCredentialsRotations;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.springframework.beans.factory.ObjectProvider;

/**
 * What the health indicator reports, independent of the Spring Boot line: a status code and
 * details for each mount (readable, state, layout, key count, revision, last reload and its
 * result, staleness, files that could not be used) and each data source credential rotation
 * (state, revisions, failed attempts, switches). Names, counts, times and reasons only, never
 * a value.
 *
 * <p>Status, as in the Quarkus extension: {@code DOWN} only while a mount has never been read
 * (state {@code MISSING}, possible with {@code mounted-secrets.require-mount=false} or an
 * {@code optional:} import); otherwise {@code UP}. A {@code STALE} mount (it disappeared or
 * cannot be read) and a rotation waiting for the database to accept new credentials
 * ({@code RETRYING}) still serve the last good values, so they stay {@code UP} and say so in
 * the details.
 */
final class MountedSecretsHealth {
  private final ObjectProvider<MountedSecrets> mounts;
  private final ObjectProvider<DataSourceCredentialsRotations> rotations;

  MountedSecretsHealth(ObjectProvider<MountedSecrets> mounts,
      ObjectProvider<DataSourceCredentialsRotations> rotations) {
    this.mounts = mounts;
    this.rotations = rotations;
  }

  /** A status code and its details. */
  static final class Report {
    final String status;
    final Map<String, Object> details;

    Report(String status, Map<String, Object> details) {
      this.status = status;
      this.details = details;
    }
  }

  Report report() {
    Map<String, Object> mountDetails = new LinkedHashMap<>();
    String status = "UP";
    for (MountedSecrets secrets : (Iterable<MountedSecrets>) mounts.orderedStream()::iterator) {
      MountStatus mount = secrets.status();
      mountDetails.put(mount.directory().toString(), describe(mount));
      if (mount.down()) {
        status = "DOWN";
      }
    }
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("mounts", mountDetails);
    DataSourceCredentialsRotations registry = rotations.getIfAvailable();
    if (registry != null && !registry.statuses().isEmpty()) {
      Map<String, Object> rotationDetails = new LinkedHashMap<>();
      registry.statuses().forEach((name, rotation) -> rotationDetails.put(name, describe(rotation)));
      details.put("rotations", rotationDetails);
    }
    return new Report(status, details);
  }

  private static Map<String, Object> describe(MountStatus mount) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("state", mount.state().name());
    details.put("readable", mount.state() == MountState.READY);
    details.put("stale", mount.state() == MountState.STALE);
    details.put("layout", mount.layout().name());
    details.put("keys", mount.keyCount());
    details.put("revision", mount.revision());
    details.put("lastReloadResult", mount.lastReloadResult().name());
    put(details, "lastReloadAt", mount.lastReloadAt());
    put(details, "lastSuccessAt", mount.lastSuccessAt());
    put(details, "lastChangeAt", mount.lastChangeAt());
    put(details, "staleSince", mount.staleSince());
    mount.failureReason().ifPresent(reason -> details.put("failureReason", reason));
    if (!mount.invalidFiles().isEmpty()) {
      details.put("invalidFiles", mount.invalidFiles());
    }
    return details;
  }

  private static Map<String, Object> describe(CredentialsRotation.Status rotation) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("state", rotation.state().name());
    details.put("revision", rotation.revision());
    rotation.pendingRevision().ifPresent(revision -> details.put("pendingRevision", revision));
    details.put("failedAttempts", rotation.failedAttempts());
    details.put("switches", rotation.switches());
    put(details, "lastSwitchAt", rotation.lastSwitchAt());
    put(details, "lastFailureAt", rotation.lastFailureAt());
    rotation.failureReason().ifPresent(reason -> details.put("failureReason", reason));
    return details;
  }

  private static void put(Map<String, Object> details, String name, Optional<Instant> time) {
    time.ifPresent(instant -> details.put(name, instant.toString()));
  }
}
