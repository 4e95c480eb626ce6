package io.github.mountedsecrets;

/**
 * Thrown by {@link MountedSecrets.Builder} when it refuses a value. The message reads
 * "<i>option</i> <i>reason</i>", for example {@code pollInterval must be a positive duration,
 * but was PT0S}; {@link #option()} and {@link #reason()} let a framework put its own property
 * name in front of the same reason. Option values are configuration, never secrets.
 */
public final class InvalidOptionException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final MountedSecretsOption option;
  private final String reason;

  InvalidOptionException(MountedSecretsOption option, String reason) {
    super(option.builderName() + " " + reason);
    this.option = option;
    this.reason = reason;
  }

  /**
   * Returns the option that was refused.
   *
   * @return the option
   */
  public MountedSecretsOption option() {
    return option;
  }

  /**
   * Returns why the value was refused, without the option's name, e.g.
   * {@code must be a positive duration, but was PT0S}.
   *
   * @return the reason
   */
  public String reason() {
    return reason;
  }

  /**
   * Returns the message with the option named by a framework's property prefix, e.g.
   * {@code mounted-secrets.poll-interval must be a positive duration, but was PT0S} for the
   * prefix {@code mounted-secrets.}.
   *
   * @param propertyPrefix the prefix, including its trailing dot
   * @return the message in the framework's words
   */
  public String messageFor(String propertyPrefix) {
    return propertyPrefix + option.propertyName() + " " + reason;
  }
}
