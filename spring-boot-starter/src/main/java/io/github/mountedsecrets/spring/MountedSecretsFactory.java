package io.github.mountedsecrets.spring;

import io.github.mountedsecrets.InvalidOptionException;
import io.github.mountedsecrets.MountNotFoundException;
import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.MountedSecretsOption;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * Maps {@link MountedSecretsProperties} onto the core builder. A value the builder refuses
 * becomes an {@link InvalidConfigurationPropertyValueException} naming the Spring property,
 * so Spring Boot's failure analysis shows the property, its value and where it was set.
 */
final class MountedSecretsFactory {
  private MountedSecretsFactory() {}

  static MountedSecrets create(MountedSecretsProperties properties, Path directory,
      boolean requireMount) {
    MountedSecrets.Builder builder = MountedSecrets.builder();
    set(MountedSecretsOption.DIRECTORY, directory, builder::directory);
    set(MountedSecretsOption.POLL_INTERVAL, properties.getPollInterval(), builder::pollInterval);
    set(MountedSecretsOption.QUIET_PERIOD, properties.getQuietPeriod(), builder::quietPeriod);
    builder.watch(properties.isWatch());
    builder.flattenJson(properties.isFlattenJson());
    builder.trimTrailingNewline(properties.isTrimTrailingNewline());
    set(MountedSecretsOption.MAX_FILE_SIZE, properties.getMaxFileSize(),
        size -> builder.maxFileSize(size.toBytes()));
    set(MountedSecretsOption.MAX_DEPTH, properties.getMaxDepth(), builder::maxDepth);
    set(MountedSecretsOption.MAX_ENTRIES, properties.getMaxEntries(), builder::maxEntries);
    set(MountedSecretsOption.MAX_TOTAL_SIZE, properties.getMaxTotalSize(),
        size -> builder.maxTotalSize(size.toBytes()));
    set(MountedSecretsOption.CACHE_MAXIMUM_SIZE, properties.getCacheMaximumSize(),
        builder::cacheMaximumSize);
    set(MountedSecretsOption.READ_TIMEOUT, properties.getReadTimeout(), builder::readTimeout);
    set(MountedSecretsOption.MAX_JSON_KEYS_PER_FILE, properties.getMaxJsonKeysPerFile(),
        builder::maxJsonKeysPerFile);
    set(MountedSecretsOption.MAX_JSON_KEYS, properties.getMaxJsonKeys(), builder::maxJsonKeys);
    set(MountedSecretsOption.MAX_JSON_DEPTH, properties.getMaxJsonDepth(), builder::maxJsonDepth);
    builder.requireMount(requireMount);
    try {
      return builder.build();
    } catch (MountNotFoundException e) {
      // The message then names the Spring properties that fix it, not the builder's options.
      throw e.withOptionNames(MountedSecretsFactory::propertyName);
    }
  }

  /** How the starter's configuration names a core option. */
  static String propertyName(MountedSecretsOption option) {
    String property = MountedSecretsProperties.PREFIX + "." + option.propertyName();
    return option == MountedSecretsOption.DIRECTORY
        ? "the spring.config.import location or " + property : property;
  }

  private static <T> void set(MountedSecretsOption option, T value, Consumer<T> setter) {
    String name = MountedSecretsProperties.PREFIX + "." + option.propertyName();
    if (value == null) {
      throw new InvalidConfigurationPropertyValueException(name, null, "A value is required.");
    }
    try {
      setter.accept(value);
    } catch (InvalidOptionException e) {
      // The property in Spring's spelling, then core's reason (an option value, never a
      // secret). The constructor that also takes the cause is not public on Spring Boot 3.5.
      throw new InvalidConfigurationPropertyValueException(name, value,
          e.messageFor(MountedSecretsProperties.PREFIX + "."));
    }
  }
}
