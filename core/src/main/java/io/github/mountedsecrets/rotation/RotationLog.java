package io.github.mountedsecrets.rotation;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one logger of the rotation toolkit, named after {@link CredentialsRotation} so that a
 * single logger setting covers every rotation's lines, wherever in the package they are written.
 */
final class RotationLog {
  static final Logger LOG =
      LoggerFactory.getLogger("io.github.mountedsecrets.rotation.CredentialsRotation");

  private RotationLog() {
  }
}
