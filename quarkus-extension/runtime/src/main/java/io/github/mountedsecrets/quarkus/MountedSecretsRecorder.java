package io.github.mountedsecrets.quarkus;

import io.quarkus.runtime.ShutdownContext;
import io.quarkus.runtime.annotations.Recorder;

/** Run-time actions recorded by the extension's build steps; not meant to be used directly. */
@Recorder
public class MountedSecretsRecorder {
  /** Creates the recorder; Quarkus does this. */
  public MountedSecretsRecorder() {}

  /**
   * Closes every mount when the application stops, also when it stops because its start
   * failed after the configuration was built.
   *
   * @param shutdown the application's shutdown context
   */
  public void closeMountsAtShutdown(ShutdownContext shutdown) {
    shutdown.addLastShutdownTask(SharedMounts::closeAll);
  }
}
