package io.github.mountedsecrets.quarkus;

import io.github.mountedsecrets.DatabaseCredentials;
import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.MountedSecretsException;
import java.util.Optional;
import java.util.Set;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Serves {@code quarkus.datasource.jdbc.url}, built by the core's {@link DatabaseCredentials}
 * from the engine, host, port and dbname of the JSON secret named by
 * {@code quarkus.mounted-secrets.datasource.secret}.
 *
 * <p>Its ordinal, {@value #ORDINAL}, is below {@code application.properties} (250): a URL the
 * application sets itself wins. A JDBC URL names a host and a database, no credential; the
 * name of the source names the mount and the secret's key only. The URL is served escaped for
 * SmallRye's expansion ({@link MountedSecretsConfigSource#escapeExpressions}), so that it comes
 * back exactly.
 */
final class MountedDataSourceConfigSource implements ConfigSource {
  /** Below {@code application.properties} (250), above {@code microprofile-config.properties}. */
  static final int ORDINAL = 240;
  static final String JDBC_URL = "quarkus.datasource.jdbc.url";
  static final String OPTION = "quarkus.mounted-secrets.datasource.secret";

  private final MountedSecrets secrets;
  private final String secretKey;
  private final String name;

  MountedDataSourceConfigSource(MountedSecrets secrets, String secretKey) {
    this.secrets = secrets;
    this.secretKey = secretKey;
    this.name = "MountedDataSourceConfigSource[mount=" + secrets.directory() + ", secret=" + secretKey + "]";
  }

  /**
   * Checks at startup that the secret yields a JDBC URL, when the mount is there.
   *
   * @throws IllegalArgumentException naming the option, the key and the fields a URL needs
   */
  void requireUrl(boolean mountRequired) {
    if (mountRequired && url().isEmpty()) {
      throw new IllegalArgumentException(OPTION + ": the mount " + secrets.directory()
          + " has no JSON secret '" + secretKey + "' with the fields a JDBC URL is built from: "
          + "engine (postgres, mysql, mariadb, oracle, sqlserver) and host, optionally port and dbname");
    }
  }

  private Optional<String> url() {
    try {
      return DatabaseCredentials.fromJsonSecret(secrets.snapshot(), secretKey).jdbcUrl();
    } catch (MountedSecretsException e) {
      return Optional.empty();
    }
  }

  @Override
  public Set<String> getPropertyNames() {
    return Set.of(JDBC_URL);
  }

  @Override
  public String getValue(String propertyName) {
    // Escaped for SmallRye's expansion like every mounted value: a database or host name may
    // hold '$' ('$$' would read as '$', '${x}' be looked up or fail the lookup).
    return JDBC_URL.equals(propertyName)
        ? url().map(MountedSecretsConfigSource::escapeExpressions).orElse(null) : null;
  }

  @Override
  public int getOrdinal() {
    return ORDINAL;
  }

  @Override
  public String getName() {
    return name;
  }

  @Override
  public String toString() {
    return name + "[ordinal=" + ORDINAL + "]";
  }
}
