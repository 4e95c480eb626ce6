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
      return secrets.snapshot().find(propertyName).orElse(null);
    } catch (MountedSecretsException e) {
      return null;
    }
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
