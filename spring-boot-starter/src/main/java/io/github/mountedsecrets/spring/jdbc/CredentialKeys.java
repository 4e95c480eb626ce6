package io.github.mountedsecrets.spring.jdbc;

import io.github.mountedsecrets.spring.MountedSecretsProperties;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * The two keys of the mount that hold a data source's username and password: set with
 * {@code mounted-secrets.datasource.username-key} and {@code password-key}, or read from the
 * unresolved values of {@code spring.datasource.username} and {@code password} when each is
 * exactly one placeholder such as {@code ${DB_USER}} (a default, {@code ${DB_USER:app}}, is
 * allowed), or the {@code username} and {@code password} fields of the JSON secret named by
 * {@code mounted-secrets.datasource.secret}.
 */
final class CredentialKeys {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^:}]+)(?::[^}]*)?}");
  private static final String USERNAME = "spring.datasource.username";
  private static final String PASSWORD = "spring.datasource.password";

  final String username;
  final String password;
  /** Whether the keys were derived (placeholders or the JSON secret), rather than named. */
  final boolean fromPlaceholders;
  /** Whether the keys are the fields of {@code mounted-secrets.datasource.secret}. */
  final boolean fromSecret;

  private CredentialKeys(String username, String password, boolean fromPlaceholders,
      boolean fromSecret) {
    this.username = username;
    this.password = password;
    this.fromPlaceholders = fromPlaceholders;
    this.fromSecret = fromSecret;
  }

  static Optional<CredentialKeys> find(MountedSecretsProperties.Datasource settings,
      ConfigurableEnvironment environment) {
    String usernameKey = blankToNull(settings.getUsernameKey());
    String passwordKey = blankToNull(settings.getPasswordKey());
    if (usernameKey != null && passwordKey != null) {
      return Optional.of(new CredentialKeys(usernameKey, passwordKey, false, false));
    }
    if (usernameKey != null || passwordKey != null) {
      String missing = usernameKey == null ? "username-key" : "password-key";
      String set = usernameKey == null ? "password-key" : "username-key";
      throw new InvalidConfigurationPropertyValueException(
          MountedSecretsProperties.PREFIX + ".datasource." + missing, null,
          "Set both mounted-secrets.datasource.username-key and password-key, or neither (then "
              + "the keys come from the placeholders in spring.datasource.username and "
              + "password); only " + set + " is set.");
    }
    String secret = blankToNull(settings.getSecret());
    if (secret != null) {
      return Optional.of(new CredentialKeys(secret + ".username", secret + ".password", true, true));
    }
    Optional<String> user = placeholderKey(environment, USERNAME);
    Optional<String> pass = placeholderKey(environment, PASSWORD);
    if (user.isPresent() && pass.isPresent()) {
      return Optional.of(new CredentialKeys(user.get(), pass.get(), true, false));
    }
    return Optional.empty();
  }

  /** Returns the key of a property whose raw value is one placeholder. */
  static Optional<String> placeholderKey(ConfigurableEnvironment environment, String property) {
    ConfigurationPropertyName name = ConfigurationPropertyName.of(property);
    for (ConfigurationPropertySource source
        : ConfigurationPropertySources.from(environment.getPropertySources())) {
      ConfigurationProperty raw = source.getConfigurationProperty(name);
      if (raw != null && raw.getValue() != null) {
        Matcher matcher = PLACEHOLDER.matcher(raw.getValue().toString().trim());
        return matcher.matches() ? Optional.of(matcher.group(1).trim()) : Optional.empty();
      }
    }
    return Optional.empty();
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.trim();
  }

  @Override
  public String toString() {
    return "keys " + username + " and " + password;
  }
}
