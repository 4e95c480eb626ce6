package io.github.mountedsecrets.quarkus;

import io.github.mountedsecrets.MountedSecrets;
import io.quarkus.runtime.ApplicationLifecycleManager;
import io.quarkus.runtime.configuration.ConfigBuilder;
import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Adds the mounted-secrets config source to the run-time configuration, with the mount's keys
 * as secret keys (see {@link MountKeys}). Registered by the
 * extension's build step; not meant to be used directly.
 */
public final class MountedSecretsConfigBuilder implements ConfigBuilder {
  /** Creates the builder; Quarkus calls this when it builds the run-time configuration. */
  public MountedSecretsConfigBuilder() {}

  @Override
  public SmallRyeConfigBuilder configBuilder(SmallRyeConfigBuilder builder) {
    MountKeys keys = new MountKeys();
    keys.register(builder);
    return builder.withSources(new Factory(builder, keys));
  }

  /**
   * Reads {@code quarkus.mounted-secrets.*} from the sources built so far (properties files,
   * environment variables, system properties), then opens the mount.
   */
  static final class Factory implements ConfigSourceFactory {
    private static final int CONVERTER_PRIORITY = 200;

    private final SmallRyeConfigBuilder builder;
    private final MountKeys keys;

    /**
     * The builder is the one building the configuration this factory is called for: the mount's
     * keys are registered with it as secret keys once the mount is open, while it builds.
     */
    Factory(SmallRyeConfigBuilder builder, MountKeys keys) {
      this.builder = builder;
      this.keys = keys;
    }

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
      if (Boolean.parseBoolean(System.getProperty(
          ApplicationLifecycleManager.QUARKUS_APPCDS_GENERATE_PROP, "false"))) {
        return List.of(); // generating an AppCDS archive: no mount is there, nothing to read
      }
      List<String> profiles = new ArrayList<>(context.getProfiles());
      Collections.reverse(profiles);
      SmallRyeConfig config = new SmallRyeConfigBuilder()
          .withProfiles(profiles)
          .withSources(new ConfigSourceContext.ConfigSourceContextConfigSource(context))
          .withSources(context.getConfigSources())
          // Quarkus' own converters, so that 30s, 100ms and 1M mean what they mean in Quarkus.
          .withConverter(Duration.class, CONVERTER_PRIORITY, new DurationConverter())
          .withConverter(MemorySize.class, CONVERTER_PRIORITY, new MemorySizeConverter())
          .withMapping(MountedSecretsConfig.class)
          .withValidateUnknown(false)
          .build();
      MountedSecretsConfig options = config.getConfigMapping(MountedSecretsConfig.class);
      MountedSecrets secrets = SharedMounts.obtain(options);
      keys.serve(secrets, builder);
      MountedSecretsConfigSource source = new MountedSecretsConfigSource(secrets, options.ordinal());
      Optional<String> dataSourceSecret = options.datasource().secret();
      if (dataSourceSecret.isEmpty()) {
        return List.of(source);
      }
      MountedDataSourceConfigSource dataSource = new MountedDataSourceConfigSource(secrets, dataSourceSecret.get());
      dataSource.requireUrl(options.requireMount());
      return List.of(source, dataSource);
    }
  }
}
