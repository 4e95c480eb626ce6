package io.github.mountedsecrets;

/**
 * Base class of every exception this library throws on purpose.
 *
 * <p>Messages name keys, files and the mount, and say how to fix the problem. They never
 * contain a secret value, so they are safe to log.
 */
public class MountedSecretsException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message that contains no secret value.
   *
   * @param message what went wrong and how to fix it
   */
  public MountedSecretsException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a message that contains no secret value, and its cause.
   *
   * @param message what went wrong and how to fix it
   * @param cause the underlying failure; its message must not carry a secret either
   */
  public MountedSecretsException(String message, Throwable cause) {
    super(message, cause);
  }
}
