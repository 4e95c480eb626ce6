package io.github.mountedsecrets.spring;

import java.nio.file.Path;
import java.util.Objects;
import org.springframework.boot.origin.Origin;

/**
 * Where a property of a mount came from: the file inside the mount and, for a field of a JSON
 * file, the field. Printed by Spring Boot in binding errors, failure analyses and
 * {@code /actuator/env}; it names the file, never the value.
 */
final class MountedSecretOrigin implements Origin {
  private final Path file;
  private final String field;

  MountedSecretOrigin(Path file, String field) {
    this.file = file;
    this.field = field;
  }

  Path file() {
    return file;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof MountedSecretOrigin)) {
      return false;
    }
    MountedSecretOrigin other = (MountedSecretOrigin) o;
    return file.equals(other.file) && Objects.equals(field, other.field);
  }

  @Override
  public int hashCode() {
    return Objects.hash(file, field);
  }

  @Override
  public String toString() {
    return field == null ? "secret file [" + file + "]"
        : "field '" + field + "' of secret file [" + file + "]";
  }
}
