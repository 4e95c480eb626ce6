package io.github.mountedsecrets.spring;

import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.SecretFormatException;
import io.github.mountedsecrets.SecretsSnapshot;
import io.github.mountedsecrets.Subscription;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.springframework.beans.factory.DisposableBean;
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
 * placeholders ({@code app.api-key=${API_KEY}}, directly or through other properties), and
 * every text value equal to one a mount served since startup (a pool's password that reached
 * it through connection details), whatever {@code management.endpoint.*.show-values} says.
 * For the last, it keeps SHA-256 digests of the values each snapshot serves (at most
 * {@value #MAX_DIGESTS}), never the values.
 */
final class MountedSecretsSanitizingFunction implements SanitizingFunction, DisposableBean {
  /** Digests kept of values served since startup; the oldest go first. */
  private static final int MAX_DIGESTS = 10_000;

  private final ConfigurableEnvironment environment;
  /** SHA-256 digests of every text value the mounts served since startup, never the values. */
  private final Set<String> digests = new LinkedHashSet<>();
  private final List<Subscription> subscriptions = new ArrayList<>();

  MountedSecretsSanitizingFunction(ConfigurableEnvironment environment) {
    this.environment = environment;
    for (PropertySource<?> source : environment.getPropertySources()) {
      if (source instanceof MountedSecretsPropertySource) {
        MountedSecrets secrets = ((MountedSecretsPropertySource) source).getSource();
        subscriptions.add(secrets.onChange(event -> record(event.current())));
        record(secrets.snapshot());
      }
    }
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
    if (data.getValue() instanceof CharSequence && served(data.getValue().toString())) {
      return data.withSanitizedValue();
    }
    return data;
  }

  /**
   * Returns whether a mount served this value at some time since startup: a bean property that
   * holds a secret it was given some other way (a pool's password, set from connection details
   * and kept until the database accepts the next one) has no property source to recognize it
   * by.
   */
  private boolean served(String value) {
    if (value.isEmpty()) {
      return false;
    }
    synchronized (digests) {
      return digests.contains(digest(value));
    }
  }

  private void record(SecretsSnapshot snapshot) {
    for (String key : snapshot.keys()) {
      Optional<String> value;
      try {
        value = snapshot.find(key);
      } catch (SecretFormatException binary) {
        continue;
      }
      value.filter(v -> !v.isEmpty()).ifPresent(v -> {
        String digest = digest(v);
        synchronized (digests) {
          digests.remove(digest);
          digests.add(digest);
          if (digests.size() > MAX_DIGESTS) {
            digests.remove(digests.iterator().next());
          }
        }
      });
    }
  }

  private static String digest(String value) {
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      return Base64.getEncoder().encodeToString(sha256.digest(value.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  @Override
  public void destroy() {
    subscriptions.forEach(Subscription::close);
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
