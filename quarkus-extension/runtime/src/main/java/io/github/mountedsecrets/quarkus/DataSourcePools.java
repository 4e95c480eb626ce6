package io.github.mountedsecrets.quarkus;

import io.github.mountedsecrets.CredentialsRotation;
import java.time.Duration;
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
   * @return the flushed pools, which {@link Flushed#again()} flushes again
   */
  Flushed flush(String providerName);

  /** Pools flushed together. */
  interface Flushed {
    /** Nothing was flushed: no datasource uses the provider name. */
    Flushed NONE = new Flushed() {
      @Override
      public List<String> dataSources() {
        return List.of();
      }

      @Override
      public Duration openingBound() {
        return Duration.ZERO;
      }

      @Override
      public void again() {}
    };

    /** The names of the flushed datasources. */
    List<String> dataSources();

    /**
     * The longest a connection of these pools may take to open: the longest login timeout
     * among them (10 s for a pool without one).
     */
    Duration openingBound();

    /** Flushes the same pools gracefully again; a pool closed since is skipped. */
    void again();
  }
}
