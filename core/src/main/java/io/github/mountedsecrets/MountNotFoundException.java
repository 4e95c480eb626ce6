package io.github.mountedsecrets;

import java.nio.file.Path;

/**
 * Thrown at startup when the mount directory is required but absent, or is not a directory.
 *
 * <p>The message names the path, the likely causes and the fix.
 */
public final class MountNotFoundException extends MountedSecretsException {
  private static final long serialVersionUID = 1L;

  private final transient Path directory;

  MountNotFoundException(Path directory, String message) {
    super(message);
    this.directory = directory;
  }

  /**
   * Returns the directory that was expected to hold the secrets.
   *
   * @return the configured mount directory
   */
  public Path directory() {
    return directory;
  }
}
