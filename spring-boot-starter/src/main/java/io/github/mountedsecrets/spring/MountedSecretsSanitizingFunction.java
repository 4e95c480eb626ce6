package io.github.mountedsecrets.spring;

import org.springframework.boot.actuate.endpoint.SanitizableData;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.PropertySource;

/**
 * Masks, in {@code /actuator/env} and {@code /actuator/configprops}, every property an
 * imported mount serves, and every property whose raw value reaches a mount's key through
 * placeholders ({@code app.api-key=${API_KEY}}, directly or through other properties),
 * whatever {@code management.endpoint.*.show-values} says.
 */
final class MountedSecretsSanitizingFunction implements SanitizingFunction {
  private final ConfigurableEnvironment environment;

  MountedSecretsSanitizingFunction(ConfigurableEnvironment environment) {
    this.environment = environment;
  }

  @Override
  public SanitizableData apply(SanitizableData data) {
    if (data.getValue() == null) {
      return data;
    }
    PropertySource<?> source = data.getPropertySource();
    if (source instanceof MountedSecretsPropertySource) {
      return data.withSanitizedValue();
    }
    Object raw = source == null ? null : raw(source, data.getKey());
    if (raw == null) {
      raw = environmentRaw(data.getKey());
    }
    if (raw instanceof CharSequence && !MountPlaceholders.of(environment.getPropertySources(),
        raw.toString()).served.isEmpty()) {
      return data.withSanitizedValue();
    }
    return data;
  }

  private Object environmentRaw(String key) {
    for (PropertySource<?> source : environment.getPropertySources()) {
      if (!ConfigurationPropertySources.isAttachedConfigurationPropertySource(source)) {
        Object raw = raw(source, key);
        if (raw != null) {
          return raw;
        }
      }
    }
    return null;
  }

  /** The value as written in the source: by its own name, or by its configuration property name. */
  private static Object raw(PropertySource<?> source, String key) {
    Object raw = source.getProperty(key);
    if (raw != null) {
      return raw;
    }
    // configprops names a property by its bean path (app.apiKey), bound from app.api-key.
    ConfigurationPropertyName name = ConfigurationPropertyName.isValid(key)
        ? ConfigurationPropertyName.of(key) : ConfigurationPropertyName.adapt(key, '.');
    if (name.isEmpty()) {
      return null;
    }
    for (ConfigurationPropertySource adapted : ConfigurationPropertySources.from(source)) {
      ConfigurationProperty property = adapted.getConfigurationProperty(name);
      if (property != null) {
        return property.getValue();
      }
    }
    return null;
  }
}
