package io.github.mountedsecrets.spring;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.PropertySources;
import org.springframework.util.PropertyPlaceholderHelper;

/**
 * Which keys of the imported mounts a text reaches through {@code ${...}} placeholders,
 * directly ({@code ${API_KEY}}) or through other properties ({@code ${app.key}} where
 * {@code app.key=${API_KEY}}). Placeholders are parsed by Spring's own
 * {@link PropertyPlaceholderHelper}, defaults ({@code ${KEY:default}}) included; raw property
 * values are followed, never a mount's value: a key a mount serves resolves to an empty text.
 */
final class MountPlaceholders {
  private static final PropertyPlaceholderHelper HELPER =
      new PropertyPlaceholderHelper("${", "}", ":", null, true);

  private MountPlaceholders() {}

  /** The keys a text reaches. */
  static final class Keys {
    /** Keys an imported mount serves, each with the mount's directory, in order of use. */
    final Map<String, Path> served;
    /** Keys no property source holds now; a mount may serve them later. */
    final Set<String> unresolved;

    private Keys(Map<String, Path> served, Set<String> unresolved) {
      this.served = Collections.unmodifiableMap(served);
      this.unresolved = Collections.unmodifiableSet(unresolved);
    }

    boolean isEmpty() {
      return served.isEmpty() && unresolved.isEmpty();
    }

    /** Returns whether a change of any of these keys may change the text's value. */
    boolean affectedBy(Set<String> changed) {
      for (String key : changed) {
        if (served.containsKey(key) || unresolved.contains(key)) {
          return true;
        }
      }
      return false;
    }
  }

  /** Returns whether any of the property sources is an imported mount. */
  static boolean anyMount(PropertySources sources) {
    return sources.stream().anyMatch(MountedSecretsPropertySource.class::isInstance);
  }

  /** Returns the mount that serves a key, first in the sources' order, or null. */
  static MountedSecretsPropertySource owner(PropertySources sources, String key) {
    PropertySource<?> owner = ownerOf(sources, key);
    return owner instanceof MountedSecretsPropertySource ? (MountedSecretsPropertySource) owner : null;
  }

  /**
   * Returns the keys of the mounts a text reaches through its placeholders, following the
   * raw values of other properties.
   */
  static Keys of(PropertySources sources, String text) {
    Map<String, Path> served = new LinkedHashMap<>();
    Set<String> unresolved = new LinkedHashSet<>();
    if (text != null && text.contains("${")) {
      HELPER.replacePlaceholders(text, name -> {
        PropertySource<?> owner = ownerOf(sources, name);
        if (owner == null) {
          unresolved.add(name);
          return null;
        }
        if (owner instanceof MountedSecretsPropertySource) {
          served.put(name, ((MountedSecretsPropertySource) owner).getSource().directory());
          return "";
        }
        Object raw = owner.getProperty(name);
        return raw == null ? null : raw.toString();
      });
    }
    return new Keys(served, unresolved);
  }

  private static PropertySource<?> ownerOf(PropertySources sources, String name) {
    for (PropertySource<?> source : sources) {
      if (!ConfigurationPropertySources.isAttachedConfigurationPropertySource(source)
          && source.containsProperty(name)) {
        return source;
      }
    }
    return null;
  }
}
