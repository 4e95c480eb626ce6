package io.github.mountedsecrets.spring;

import java.nio.file.Path;
import org.springframework.boot.context.config.ConfigDataResource;

/**
 * One mount named by {@code spring.config.import=mounted-secrets:<directory>}, with the options
 * bound from {@code mounted-secrets.*} when the import was resolved. Two imports of the same
 * directory are the same resource, so Spring Boot loads it once.
 */
final class MountedSecretsConfigDataResource extends ConfigDataResource {
  private final Path directory;
  private final boolean required;
  private final MountedSecretsProperties properties;

  MountedSecretsConfigDataResource(Path directory, boolean required,
      MountedSecretsProperties properties) {
    super(!required);
    this.directory = directory;
    this.required = required;
    this.properties = properties;
  }

  Path directory() {
    return directory;
  }

  boolean required() {
    return required;
  }

  MountedSecretsProperties properties() {
    return properties;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MountedSecretsConfigDataResource
        && directory.equals(((MountedSecretsConfigDataResource) o).directory);
  }

  @Override
  public int hashCode() {
    return directory.hashCode();
  }

  @Override
  public String toString() {
    return MountedSecretsConfigDataLocationResolver.PREFIX + directory;
  }
}
