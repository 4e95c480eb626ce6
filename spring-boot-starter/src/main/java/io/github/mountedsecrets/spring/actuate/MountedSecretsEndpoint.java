package io.github.mountedsecrets.spring.actuate;

import io.github.mountedsecrets.MountStatus;
import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.SecretsSnapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * The read-only {@code mountedsecrets} actuator endpoint: for each mount, its layout, state
 * and revision, and each key with its version and the time its content last changed
 * ({@link SecretsSnapshot#changedAt(String)}). It never shows a value.
 */
@Endpoint(id = "mountedsecrets")
public final class MountedSecretsEndpoint {
  private final ObjectProvider<MountedSecrets> mounts;

  MountedSecretsEndpoint(ObjectProvider<MountedSecrets> mounts) {
    this.mounts = mounts;
  }

  /**
   * Returns every mount with its keys, versions and change times.
   *
   * @return the mounts, never values
   */
  @ReadOperation
  public MountsDescriptor mounts() {
    List<MountDescriptor> descriptors = new ArrayList<>();
    mounts.orderedStream().forEach(secrets -> {
      SecretsSnapshot snapshot = secrets.snapshot();
      MountStatus status = secrets.status();
      List<KeyDescriptor> keys = new ArrayList<>();
      for (String key : snapshot.keys()) {
        keys.add(new KeyDescriptor(key, snapshot.version(key), snapshot.changedAt(key).toString()));
      }
      descriptors.add(new MountDescriptor(secrets.directory().toString(), status.layout().name(),
          status.state().name(), snapshot.revision(), snapshot.loadedAt().toString(),
          status.lastChangeAt().map(Instant::toString).orElse(null), keys));
    });
    return new MountsDescriptor(descriptors);
  }

  /**
   * Every mount.
   *
   * @param mounts one entry per mount
   */
  public record MountsDescriptor(List<MountDescriptor> mounts) {}

  /**
   * One mount.
   *
   * @param directory the mount directory
   * @param layout how the files are written ({@code ATOMIC_WRITER}, {@code FILE_BY_FILE})
   * @param state {@code READY}, {@code STALE} or {@code MISSING}
   * @param revision the revision of the current snapshot
   * @param loadedAt when the current snapshot was read
   * @param lastChangeAt when content last changed after startup, or null
   * @param keys the keys, sorted
   */
  public record MountDescriptor(String directory, String layout, String state, long revision,
      String loadedAt, String lastChangeAt, List<KeyDescriptor> keys) {}

  /**
   * One key.
   *
   * @param key the key
   * @param version the revision at which its content last changed
   * @param changedAt when that revision was read
   */
  public record KeyDescriptor(String key, long version, String changedAt) {}
}
