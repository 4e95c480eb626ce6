package io.github.mountedsecrets.spring.actuate;

import io.github.mountedsecrets.MountStatus;
import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.SecretsChangedEvent;
import io.github.mountedsecrets.SecretsSnapshot;
import io.github.mountedsecrets.Subscription;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * The read-only {@code mountedsecrets} actuator endpoint: for each mount, its layout, state
 * and revision, and each key with its version and the time its content last changed. It never
 * shows a value.
 *
 * <p>A key's version is the revision at which its content last changed. The endpoint keeps
 * the load time of each revision it has seen (from change events), so the time of a key that
 * changed while the application ran is exact; a key unchanged since startup shows when the
 * mount was first read.
 */
@Endpoint(id = "mountedsecrets")
public final class MountedSecretsEndpoint implements DisposableBean {
  private final ObjectProvider<MountedSecrets> mounts;
  private final Map<MountedSecrets, RevisionTimes> times = new ConcurrentHashMap<>();

  MountedSecretsEndpoint(ObjectProvider<MountedSecrets> mounts) {
    this.mounts = mounts;
    mounts.orderedStream().forEach(secrets -> times.computeIfAbsent(secrets, RevisionTimes::new));
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
      RevisionTimes revisionTimes = times.computeIfAbsent(secrets, RevisionTimes::new);
      SecretsSnapshot snapshot = secrets.snapshot();
      MountStatus status = secrets.status();
      List<KeyDescriptor> keys = new ArrayList<>();
      for (String key : snapshot.keys()) {
        long version = snapshot.version(key);
        keys.add(new KeyDescriptor(key, version, revisionTimes.at(version, snapshot)));
      }
      descriptors.add(new MountDescriptor(secrets.directory().toString(), status.layout().name(),
          status.state().name(), snapshot.revision(), snapshot.loadedAt().toString(),
          status.lastChangeAt().map(Instant::toString).orElse(null), keys));
    });
    return new MountsDescriptor(descriptors);
  }

  /** Stops following the mounts. */
  @Override
  public void destroy() {
    times.values().forEach(RevisionTimes::close);
    times.clear();
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

  /** The load time of each revision of one mount, learned from its change events. */
  private static final class RevisionTimes {
    private final Map<Long, Instant> loadedAt = new ConcurrentSkipListMap<>();
    private final Subscription subscription;
    private final Instant firstSeen;
    private final long firstRevision;

    RevisionTimes(MountedSecrets secrets) {
      SecretsSnapshot first = secrets.snapshot();
      this.firstSeen = first.loadedAt();
      this.firstRevision = first.revision();
      this.subscription = secrets.onChange(this::record);
      loadedAt.put(first.revision(), first.loadedAt());
    }

    private void record(SecretsChangedEvent event) {
      loadedAt.put(event.current().revision(), event.current().loadedAt());
      Set<Long> inUse = new HashSet<>();
      for (String key : event.current().keys()) {
        inUse.add(event.current().version(key));
      }
      inUse.add(event.current().revision());
      loadedAt.keySet().retainAll(inUse);
    }

    String at(long version, SecretsSnapshot snapshot) {
      Instant time = loadedAt.get(version);
      if (time == null && version == snapshot.revision()) {
        time = snapshot.loadedAt();
      }
      if (time == null && version <= firstRevision) {
        time = firstSeen;
      }
      return time == null ? null : time.toString();
    }

    void close() {
      subscription.close();
    }
  }
}
