package io.github.mountedsecrets.spring;

import io.github.mountedsecrets.MountedSecrets;
import java.nio.file.Path;
import java.util.List;
import org.springframework.boot.context.config.ConfigDataLocation;
import org.springframework.boot.context.config.ConfigDataLocationResolver;
import org.springframework.boot.context.config.ConfigDataLocationResolverContext;
import org.springframework.boot.context.properties.bind.Binder;

/**
 * Resolves {@code mounted-secrets:<directory>} imports. An empty directory
 * ({@code mounted-secrets:}) means {@code mounted-secrets.directory}. The mount is required
 * unless the import is {@code optional:} or {@code mounted-secrets.require-mount} is false.
 */
final class MountedSecretsConfigDataLocationResolver
    implements ConfigDataLocationResolver<MountedSecretsConfigDataResource> {
  static final String PREFIX = "mounted-secrets:";

  @Override
  public boolean isResolvable(ConfigDataLocationResolverContext context,
      ConfigDataLocation location) {
    return location.hasPrefix(PREFIX);
  }

  @Override
  public List<MountedSecretsConfigDataResource> resolve(ConfigDataLocationResolverContext context,
      ConfigDataLocation location) {
    MountedSecretsProperties properties = bind(context.getBinder());
    String value = location.getNonPrefixedValue(PREFIX).trim();
    Path directory = value.isEmpty() ? properties.getDirectory() : Path.of(value);
    if (directory == null) {
      directory = MountedSecrets.DEFAULT_DIRECTORY;
    }
    boolean required = !location.isOptional() && properties.isRequireMount();
    return List.of(new MountedSecretsConfigDataResource(directory.toAbsolutePath().normalize(),
        required, properties));
  }

  static MountedSecretsProperties bind(Binder binder) {
    return binder.bind(MountedSecretsProperties.PREFIX, MountedSecretsProperties.class)
        .orElseGet(MountedSecretsProperties::new);
  }
}
