package io.github.mountedsecrets;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@link MountedSecrets.Builder#build()} does before it returns: watch, read the mount
 * once (again after the quiet period while a plain-file writer is busy), refuse a required
 * mount that is absent, incomplete or unreadable, and start the watcher. A mount that is not
 * required and absent starts as {@link MountState#MISSING} and is picked up when it appears.
 */
final class FirstRead {
  // The instance's own logger: startup lines are the instance's.
  private static final Logger LOG = LoggerFactory.getLogger("io.github.mountedsecrets.MountedSecrets");

  private FirstRead() {
  }

  static void start(Path directory, Reloader reloader, Watcher watcher, Duration quietPeriod,
      boolean requireMount) {
    if (!Files.isDirectory(directory)) {
      MountNotFoundException missing = new MountNotFoundException(directory, MountNotFoundException::builderName);
      if (requireMount) {
        throw missing;
      }
      String message = missing.getMessage();
      LOG.warn("{}: {} Starting without secrets; the mount is picked up when it appears.",
          directory, message);
      reloader.markMissingAtStart();
    } else {
      // Watch before the first read, so that no change between the two goes unnoticed.
      watcher.prepare();
      Reloader.Outcome outcome = reloader.reloadOnce();
      while (outcome == Reloader.Outcome.UNSETTLED) {
        sleepQuietly(quietPeriod);
        outcome = reloader.reloadOnce();
      }
      if (outcome == Reloader.Outcome.CLOSED) {
        // Only an interrupt of the building thread gets here (the instance is not closed
        // yet): the mount was not read, so do not start as if it had been. The interrupt
        // status stays set.
        throw new MountedSecretsException("Secrets mount " + directory + " was not read at "
            + "startup: the building thread was interrupted");
      }
      if (outcome == Reloader.Outcome.FAILED && requireMount) {
        throw new MountedSecretsException("Secrets mount " + directory
            + " could not be read at startup: " + reloader.failureReason());
      }
      if (outcome == Reloader.Outcome.ABSENT && requireMount) {
        String reason = reloader.failureReason();
        throw reason != null && reason.startsWith("is incomplete")
            ? new MountedSecretsException("Secrets mount " + directory + " " + reason)
            : new MountNotFoundException(directory, MountNotFoundException::builderName);
      }
      SecretsSnapshot current = reloader.current();
      LOG.info("{}: loaded {} keys ({} layout{})", directory, current.size(), current.layout(),
          current.generation().map(g -> ", generation " + g).orElse(""));
    }
    reloader.markStarted();
    watcher.start();
  }

  private static void sleepQuietly(Duration duration) {
    try {
      Thread.sleep(Math.max(1, duration.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
