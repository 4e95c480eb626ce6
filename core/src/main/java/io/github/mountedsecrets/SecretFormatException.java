package io.github.mountedsecrets;

/**
 * Thrown when a secret exists but cannot be read in the form asked for: text that is not
 * valid UTF-8, or a value that does not convert to a number, boolean, duration or base64.
 *
 * <p>The message names the key, the mount and the expected form, never the value.
 */
public final class SecretFormatException extends MountedSecretsException {
  private static final long serialVersionUID = 1L;

  private final String key;

  SecretFormatException(String key, String message) {
    super(message);
    this.key = key;
  }

  /**
   * Returns the key whose value could not be converted.
   *
   * @return the key
   */
  public String key() {
    return key;
  }
}
