package io.github.mountedsecrets;

/** Whether the secrets served reflect the mount as it is now. */
public enum MountState {
  /** The last reload succeeded; values are current. */
  READY,

  /**
   * The mount disappeared or the last reload failed; the last good snapshot is still
   * served and reloading goes on until it succeeds.
   */
  STALE,

  /** No mount has been seen yet (only possible with {@code requireMount(false)}). */
  MISSING,

  /**
   * The reload thread stopped after an error it could not survive: the last snapshot is
   * still served but no longer follows the mount. Health checks report DOWN; restart the
   * application. Errors the thread survives (a failed read, even an {@code OutOfMemoryError}
   * during one) do not lead here: they make the state {@link #STALE} until a read succeeds.
   */
  STOPPED
}
