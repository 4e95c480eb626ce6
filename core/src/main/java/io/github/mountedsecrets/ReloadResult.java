package io.github.mountedsecrets;

/** The outcome of the most recent reload attempt. */
public enum ReloadResult {
  /** Nothing has been attempted yet. */
  NONE,
  /** The mount was read; a snapshot is current (some files may still be invalid). */
  SUCCESS,
  /** The mount could not be read; the last good snapshot is kept. */
  FAILURE
}
