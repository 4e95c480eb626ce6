package io.github.mountedsecrets.rotation;

/** Whether a pool uses the credentials in the mount; see {@link RotationStatus#state()}. */
public enum RotationState {
  /** The pool uses the credentials the mount holds. */
  IN_SYNC,
  /** The mount holds new credentials that were refused; the previous ones stay in use. */
  RETRYING
}
