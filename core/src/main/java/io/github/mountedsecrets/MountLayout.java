package io.github.mountedsecrets;

/**
 * How the files of a mount are written, as detected from what is on disk.
 *
 * <p>The layout decides how a consistent snapshot is read and how changes are detected.
 */
public enum MountLayout {
  /**
   * The atomic writer: files live in a generation directory that a {@code ..data} symbolic
   * link points to, and visible names are links into it. Written by the Secrets Store CSI
   * Driver for the Azure, GCP and Vault providers (and for AWS with
   * {@code driverWritesSecrets=true}) and by kubelet for Secret and ConfigMap volumes. A
   * whole set of files changes with one rename, so every snapshot is exact.
   */
  ATOMIC_WRITER,

  /**
   * Plain files, each replaced on its own by a rename: the AWS provider's default writer,
   * or a local directory. Changes are coalesced over the quiet period so that a rotation of
   * several files is read as one change.
   */
  FILE_BY_FILE,

  /** Nothing is mounted at the directory yet, or it has not been read. */
  NONE
}
