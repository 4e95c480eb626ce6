package io.github.mountedsecrets.quarkus;

import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.MountedSecretsException;
import java.util.Set;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Serves every key of a mount as a config property, read from the current snapshot on each
 * lookup, so that a lookup right after a rotation returns the new value.
 *
 * <p>Keys whose content is not UTF-8 text are not served (they have no string value). The
 * name of the source names the mount only; {@code toString()} never prints a value.
 *
 * <p>SmallRye Config expands expressions in every value it serves: {@code ${...}} is looked up,
 * and {@code $$} and {@code \$} each read as one dollar. A secret is not configuration, and a
 * generated password may hold any of them: expanded, it would change ({@code p$$q} read as
 * {@code p$q}), pull in another property's value, or fail the lookup with a message naming part
 * of it. So values are served escaped for the expansion ({@link #escapeExpressions}), and the
 * expansion gives back the secret exactly, by name and through {@code ${KEY}} in other
 * properties alike.
 */
final class MountedSecretsConfigSource implements ConfigSource {
  private final MountedSecrets secrets;
  private final int ordinal;
  private final String name;

  MountedSecretsConfigSource(MountedSecrets secrets, int ordinal) {
    this.secrets = secrets;
    this.ordinal = ordinal;
    this.name = "MountedSecretsConfigSource[mount=" + secrets.directory() + "]";
  }

  /**
   * Returns the mount's keys, except those that are parents of other keys: the whole text of a
   * JSON secret ({@code prod-db} beside {@code prod-db.username}, ...). {@link #getValue} still
   * serves such a key ({@code ${prod-db}} and {@code @ConfigProperty(name = "prod-db")} work);
   * it is only not listed, so that a {@code @ConfigMapping(prefix = "prod-db")} of the fields
   * is not refused at startup for leaving the property {@code prod-db} itself unmapped
   * (SRCFG00050). Computed once per snapshot.
   */
  @Override
  public Set<String> getPropertyNames() {
    return secrets.snapshot().propertyNames();
  }

  @Override
  public String getValue(String propertyName) {
    try {
      return secrets.snapshot().find(propertyName).map(MountedSecretsConfigSource::escapeExpressions)
          .orElse(null);
    } catch (MountedSecretsException e) {
      return null;
    }
  }

  /**
   * Escapes a value so that SmallRye's expansion gives it back as it is. The expansion first
   * reads each backslash-dollar as an escaped dollar ({@code $$}), then each {@code $$} as one
   * dollar; nothing else is special outside an expression. So each dollar is doubled, except
   * one after a backslash, which gets a second backslash instead (the first pair becomes the
   * escaped dollar, the backslash before it stays). A value without a dollar is returned as it
   * is.
   */
  static String escapeExpressions(String value) {
    if (value.indexOf('$') < 0) {
      return value;
    }
    StringBuilder escaped = new StringBuilder(value.length() + 8);
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '$') {
        escaped.append(i > 0 && value.charAt(i - 1) == '\\' ? "\\$" : "$$");
      } else {
        escaped.append(c);
      }
    }
    return escaped.toString();
  }

  @Override
  public int getOrdinal() {
    return ordinal;
  }

  @Override
  public String getName() {
    return name;
  }

  @Override
  public String toString() {
    return name + "[ordinal=" + ordinal + "]";
  }
}
