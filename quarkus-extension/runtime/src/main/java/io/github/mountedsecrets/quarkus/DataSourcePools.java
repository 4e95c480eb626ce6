package io.github.mountedsecrets.quarkus;

import io.github.mountedsecrets.CredentialsRotation;
import java.util.List;
import java.util.Optional;

/**
 * The connection pools that take their credentials from the {@code mounted-secrets}
 * provider. Implemented for Agroal when the application has {@code quarkus-agroal}; kept
 * behind this interface so that nothing else loads Agroal classes.
 */
interface DataSourcePools {
  /**
   * Returns a check that opens one connection with new credentials to the database of the
   * first datasource using the provider name, or empty when no datasource uses it.
   */
  Optional<CredentialsRotation.Verifier> verifier(String providerName);

  /**
   * Flushes the pools using the provider name gracefully: idle connections close now, those
   * in use close when they are returned, and new ones ask the provider again.
   *
   * @return the names of the flushed datasources
   */
  List<String> flush(String providerName);
}
