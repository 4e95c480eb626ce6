package io.github.mountedsecrets.quarkus;

import io.github.mountedsecrets.rotation.CredentialsVerifier;
import io.github.mountedsecrets.rotation.PoolSwitch;
import java.time.Duration;
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
  Optional<CredentialsVerifier> verifier(String providerName);

  /**
   * Returns how the pools using the provider name take new credentials: they ask the provider
   * for each new connection, so a switch only flushes them gracefully (idle connections close
   * now, those in use when they are returned); the opening bound is their longest login
   * timeout.
   */
  PoolSwitch poolSwitch(String providerName);

  /** No pool uses the provider name: nothing to flush. */
  PoolSwitch NO_POOL = new PoolSwitch() {
    @Override
    public void evict() {}

    @Override
    public Duration openingBound() {
      return Duration.ofMillis(1);
    }
  };
}
