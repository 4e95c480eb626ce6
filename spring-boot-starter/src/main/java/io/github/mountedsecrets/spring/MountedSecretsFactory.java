package io.github.mountedsecrets.spring;

import io.github.mountedsecrets.MountedSecrets;
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
    set("directory", directory, builder::directory);
    set("poll-interval", properties.getPollInterval(), builder::pollInterval);
    set("quiet-period", properties.getQuietPeriod(), builder::quietPeriod);
    builder.watch(properties.isWatch());
    builder.flattenJson(properties.isFlattenJson());
    builder.trimTrailingNewline(properties.isTrimTrailingNewline());
    set("max-file-size", properties.getMaxFileSize(),
        size -> builder.maxFileSize(size.toBytes()));
    set("max-depth", properties.getMaxDepth(), builder::maxDepth);
    set("cache-maximum-size", properties.getCacheMaximumSize(), builder::cacheMaximumSize);
    builder.requireMount(requireMount);
    // A missing mount's message then names the Spring properties, not the builder's options.
    builder.settingNames("the spring.config.import location or " + MountedSecretsProperties.PREFIX
        + ".directory", MountedSecretsProperties.PREFIX + ".require-mount");
    return builder.build();
  }

  private static <T> void set(String property, T value, Consumer<T> option) {
    String name = MountedSecretsProperties.PREFIX + "." + property;
    if (value == null) {
      throw new InvalidConfigurationPropertyValueException(name, null, "A value is required.");
    }
    try {
      option.accept(value);
    } catch (IllegalArgumentException e) {
      // Core's messages name the option and the value (an option value, never a secret). The
      // constructor that also takes the cause is not public on Spring Boot 3.5.
      throw new InvalidConfigurationPropertyValueException(name, value, e.getMessage());
    }
  }
}
