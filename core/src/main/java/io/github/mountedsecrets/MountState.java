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
  MISSING
}
