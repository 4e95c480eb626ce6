package io.github.mountedsecrets.spring;

import java.nio.file.Path;
import org.springframework.boot.origin.Origin;

/**
 * Where a property of a mount came from: the file inside the mount and, for a field of a JSON
 * file, the field. Printed by Spring Boot in binding errors, failure analyses and
 * {@code /actuator/env}; it names the file, never the value.
 *
 * @param file the file inside the mount
 * @param field the field of a JSON file, or null for the whole file
 */
record MountedSecretOrigin(Path file, String field) implements Origin {
  @Override
  public String toString() {
    return field == null ? "secret file [" + file + "]"
        : "field '" + field + "' of secret file [" + file + "]";
  }
}
