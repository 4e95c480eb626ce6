package io.github.mountedsecrets.spring;

import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.SecretFormatException;
import io.github.mountedsecrets.SecretsSnapshot;
import java.util.Optional;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.OriginLookup;
import org.springframework.core.env.EnumerablePropertySource;

/**
 * Serves the keys of a mount as properties, from whatever snapshot is current at each call:
 * {@code Environment.getProperty("DB_PASSWORD")} returns the rotated value as soon as the
 * mount changed, with no refresh. Keys whose content is not UTF-8 text are not served (read
 * them with {@link MountedSecrets#getBytes(String)}).
 *
 * <p>Each key's {@linkplain #getOrigin(String) origin} is its file inside the mount (and the
 * field, for a JSON file), as with Spring Boot's {@code configtree:}, so binding errors and
 * {@code /actuator/env} say where a value came from. {@link #toString()}, the name and the
 * origins carry paths, never values.
 */
final class MountedSecretsPropertySource extends EnumerablePropertySource<MountedSecrets>
    implements OriginLookup<String> {
  static final String NAME_PREFIX = "mounted-secrets:";

  MountedSecretsPropertySource(MountedSecrets secrets) {
    super(NAME_PREFIX + secrets.directory(), secrets);
  }

  @Override
  public String[] getPropertyNames() {
    return getSource().snapshot().propertyNames().toArray(new String[0]);
  }

  @Override
  public boolean containsProperty(String name) {
    return getSource().snapshot().contains(name);
  }

  @Override
  public Object getProperty(String name) {
    SecretsSnapshot snapshot = getSource().snapshot();
    try {
      Optional<String> value = snapshot.find(name);
      return value.orElse(null);
    } catch (SecretFormatException binary) {
      return null;
    }
  }

  @Override
  public Origin getOrigin(String name) {
    SecretsSnapshot snapshot = getSource().snapshot();
    return snapshot.file(name).map(file -> {
      String field = name.equals(file) || !name.startsWith(file) ? null
          : name.substring(file.length() + (name.charAt(file.length()) == '.' ? 1 : 0));
      return (Origin) new MountedSecretOrigin(snapshot.directory().resolve(file), field);
    }).orElse(null);
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + " {name='" + getName() + "'}";
  }
}
