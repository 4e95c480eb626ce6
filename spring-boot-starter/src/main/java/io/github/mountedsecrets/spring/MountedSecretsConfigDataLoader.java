package io.github.mountedsecrets.spring;

import io.github.mountedsecrets.MountedSecrets;
import java.util.List;
import org.springframework.boot.context.config.ConfigData;
import org.springframework.boot.context.config.ConfigDataLoader;
import org.springframework.boot.context.config.ConfigDataLoaderContext;

/**
 * Loads a {@code mounted-secrets:} import: builds the one {@link MountedSecrets} of that
 * directory for the application (or reuses it, when the environment is processed again, as
 * Spring Cloud's refresh does) and returns a property source that reads its live snapshot.
 *
 * <p>The instance is kept in the bootstrap context and becomes a bean when the application
 * context is prepared; see {@link ImportedMounts}.
 */
final class MountedSecretsConfigDataLoader implements ConfigDataLoader<MountedSecretsConfigDataResource> {
  @Override
  public ConfigData load(ConfigDataLoaderContext context, MountedSecretsConfigDataResource resource) {
    ImportedMounts mounts = ImportedMounts.of(context);
    MountedSecrets secrets = mounts.getOrCreate(resource.directory(),
        () -> MountedSecretsFactory.create(resource.properties(), resource.directory(),
            resource.required()));
    return new ConfigData(List.of(new MountedSecretsPropertySource(secrets)));
  }
}
