package io.github.mountedsecrets.tls;

import io.github.mountedsecrets.MountedSecretsException;

/**
 * TLS material in the mount cannot be used: a key is missing, a PEM text does not parse, the
 * private key does not match the certificate, the chain is out of order or a certificate is
 * not valid now. The message names the keys and the reason, never key bytes or a password.
 */
public class TlsMaterialException extends MountedSecretsException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message the keys and the reason, with no secret value
   */
  public TlsMaterialException(String message) {
    super(message);
  }
}
