package io.github.mountedsecrets;

import java.nio.file.Path;
import java.util.List;

/**
 * Thrown when a key is asked for that the current snapshot does not hold.
 *
 * <p>The message names the key, the mount and, when there are any, the keys whose names
 * are close to the one asked for.
 */
public final class SecretNotFoundException extends MountedSecretsException {
  private static final long serialVersionUID = 1L;

  private final String key;
  private final transient Path directory;
  private final List<String> closeMatches;

  SecretNotFoundException(String key, Path directory, List<String> closeMatches, String detail) {
    super(message(key, directory, closeMatches, detail));
    this.key = key;
    this.directory = directory;
    this.closeMatches = List.copyOf(closeMatches);
  }

  private static String message(String key, Path directory, List<String> closeMatches,
      String detail) {
    StringBuilder sb = new StringBuilder()
        .append("No secret '").append(Names.printable(key)).append("' in ").append(directory);
    if (!closeMatches.isEmpty()) {
      sb.append("; did you mean ");
      for (int i = 0; i < closeMatches.size(); i++) {
        if (i > 0) {
          sb.append(i == closeMatches.size() - 1 ? " or " : ", ");
        }
        sb.append('\'').append(Names.printable(closeMatches.get(i))).append('\'');
      }
      sb.append('?');
    }
    if (detail != null) {
      sb.append(' ').append(detail);
    }
    return sb.toString();
  }

  /**
   * Returns the key that was asked for.
   *
   * @return the missing key
   */
  public String key() {
    return key;
  }

  /**
   * Returns the mount directory that was searched.
   *
   * @return the mount directory
   */
  public Path directory() {
    return directory;
  }

  /**
   * Returns the keys of the snapshot whose names are close to the missing one, best first.
   *
   * @return close matches, possibly empty
   */
  public List<String> closeMatches() {
    return closeMatches;
  }
}
