package io.github.mountedsecrets;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Function;

/**
 * Thrown at startup when the mount directory is required but absent, or is not a directory.
 *
 * <p>The message names the path, the likely causes and the fix, which is to change one of two
 * options: {@link MountedSecretsOption#DIRECTORY} or {@link MountedSecretsOption#REQUIRE_MOUNT}.
 * {@link #messageFor(Function)} writes the same message with those options named as a
 * framework's configuration spells them.
 */
public final class MountNotFoundException extends MountedSecretsException {
  private static final long serialVersionUID = 1L;

  private final transient Path directory;
  private final boolean singleFile;

  MountNotFoundException(Path directory, Function<MountedSecretsOption, String> names) {
    this(directory, Files.exists(directory), names);
  }

  private MountNotFoundException(Path directory, boolean singleFile,
      Function<MountedSecretsOption, String> names) {
    super(message(directory, singleFile, names));
    this.directory = directory;
    this.singleFile = singleFile;
  }

  /**
   * Returns the directory that was expected to hold the secrets.
   *
   * @return the configured mount directory
   */
  public Path directory() {
    return directory;
  }

  /**
   * Returns the message with the two options that fix it named by the given function, for
   * example {@code option -> "mounted-secrets." + option.propertyName()}.
   *
   * @param names how the application's configuration names an option
   * @return the message in the application's words
   */
  public String messageFor(Function<MountedSecretsOption, String> names) {
    return message(directory, singleFile, Objects.requireNonNull(names, "names"));
  }

  /**
   * Returns this exception with its message written by {@link #messageFor(Function)}, for a
   * framework that rethrows it in its own words.
   *
   * @param names how the application's configuration names an option
   * @return a new exception of the same kind, with this one's stack trace
   */
  public MountNotFoundException withOptionNames(Function<MountedSecretsOption, String> names) {
    MountNotFoundException renamed = new MountNotFoundException(directory, singleFile,
        Objects.requireNonNull(names, "names"));
    renamed.setStackTrace(getStackTrace());
    return renamed;
  }

  /** How the builder names its own options in the message. */
  static String builderName(MountedSecretsOption option) {
    return "the builder's " + option.builderName();
  }

  static String message(Path directory, boolean singleFile,
      Function<MountedSecretsOption, String> names) {
    if (singleFile) {
      return "Secrets mount " + directory + " is a single file, not a directory. This usually "
          + "means a subPath mount, which never receives rotated content: mount the whole "
          + "volume at a directory (no subPath) and point the library at that directory.";
    }
    return "Secrets mount " + directory + " does not exist. Likely causes: the CSI volume is "
        + "not mounted into this container (check volumeMounts and volumes in the pod spec); "
        + "the volume's mountPath differs from the configured directory (set "
        + names.apply(MountedSecretsOption.DIRECTORY) + " to the mountPath); the volume failed "
        + "to mount (check 'kubectl describe pod' for FailedMount events: SecretProviderClass "
        + "not found, access denied by IAM); or a subPath mount of a single file. To start "
        + "without the mount and pick it up when it appears, set "
        + names.apply(MountedSecretsOption.REQUIRE_MOUNT) + " to false.";
  }
}
