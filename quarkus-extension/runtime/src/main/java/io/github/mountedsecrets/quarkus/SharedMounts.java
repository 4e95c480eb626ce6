package io.github.mountedsecrets.quarkus;

import io.github.mountedsecrets.MountNotFoundException;
import io.github.mountedsecrets.InvalidOptionException;
import io.github.mountedsecrets.MountNotFoundException;
import io.github.mountedsecrets.MountedSecrets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The application's {@link MountedSecrets} instances, one per mount directory, shared by the
 * config source and the CDI bean and closed at shutdown.
 *
 * <p>The config source is created first, while Quarkus builds its run-time configuration;
 * the CDI producer later finds the same instance here. In dev mode and tests each start of
 * the application builds its configuration again after the previous start closed everything,
 * so an instance never outlives the application that created it.
 */
final class SharedMounts {
  /** The prefix of the extension's properties, with its trailing dot. */
  static final String PREFIX = "quarkus.mounted-secrets.";

  private static final ConcurrentMap<Path, MountedSecrets> MOUNTS = new ConcurrentHashMap<>();

  private SharedMounts() {}

  /**
   * Returns the running instance for the configured directory, creating it on first use.
   *
   * @throws MountNotFoundException naming the path, the likely causes and the fix, in
   *     Quarkus' property names, when the mount is required and missing
   */
  static MountedSecrets obtain(MountedSecretsConfig config) {
    Path directory = config.directory().toAbsolutePath().normalize();
    return MOUNTS.computeIfAbsent(directory, d -> build(d, config));
  }

  private static MountedSecrets build(Path directory, MountedSecretsConfig config) {
    try {
      return MountedSecrets.builder()
          .directory(directory)
          .pollInterval(config.pollInterval())
          .quietPeriod(config.quietPeriod())
          .watch(config.watch())
          .flattenJson(config.flattenJson())
          .trimTrailingNewline(config.trimTrailingNewline())
          .maxFileSize(config.maxFileSize().asLongValue())
          .maxDepth(config.maxDepth())
          .maxEntries(config.maxEntries())
          .maxTotalSize(config.maxTotalSize().asLongValue())
          .requireMount(config.requireMount())
          .cacheMaximumSize(config.cacheMaximumSize())
          .readTimeout(config.readTimeout())
          .maxJsonKeysPerFile(config.maxJsonKeysPerFile())
          .maxJsonKeys(config.maxJsonKeys())
          .maxJsonDepth(config.maxJsonDepth())
          .build();
    } catch (InvalidOptionException e) {
      // The property in Quarkus' spelling, then core's reason (an option value, never a secret).
      throw new IllegalArgumentException(e.messageFor(PREFIX), e);
    } catch (MountNotFoundException e) {
      // The message then names the Quarkus properties that fix it.
      throw e.withOptionNames(option -> PREFIX + option.propertyName());
    }
  }

  /** Closes every instance and forgets it; the next start of the application creates new ones. */
  static void closeAll() {
    for (Path directory : new ArrayList<>(MOUNTS.keySet())) {
      MountedSecrets secrets = MOUNTS.remove(directory);
      if (secrets != null) {
        secrets.close();
      }
    }
  }
}
