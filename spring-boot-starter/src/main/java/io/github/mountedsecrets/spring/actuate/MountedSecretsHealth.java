package io.github.mountedsecrets.spring.actuate;

import io.github.mountedsecrets.MountStatus;
import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.spring.jdbc.DataSourceCredentialsRotations;
import java.util.LinkedHashMap;
import java.util.Map;
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

  HealthReport report() {
    Map<String, Object> mountDetails = new LinkedHashMap<>();
    String status = "UP";
    for (MountedSecrets secrets : (Iterable<MountedSecrets>) mounts.orderedStream()::iterator) {
      MountStatus mount = secrets.status();
      mountDetails.put(mount.directory().toString(), mount.details());
      if (mount.down()) {
        status = "DOWN";
      }
    }
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("mounts", mountDetails);
    DataSourceCredentialsRotations registry = rotations.getIfAvailable();
    if (registry != null && !registry.statuses().isEmpty()) {
      Map<String, Object> rotationDetails = new LinkedHashMap<>();
      registry.statuses().forEach((name, rotation) -> rotationDetails.put(name, rotation.details()));
      details.put("rotations", rotationDetails);
    }
    return new HealthReport(status, details);
  }
}
