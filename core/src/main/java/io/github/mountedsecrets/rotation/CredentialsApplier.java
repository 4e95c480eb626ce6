package io.github.mountedsecrets.rotation;

import io.github.mountedsecrets.DatabaseCredentials;

/**
 * Switches a pool to new, verified credentials, for a pool that needs no follow-up
 * evictions; {@link PoolSwitch} is the richer alternative for a pool that may be opening
 * connections with the previous pair during the switch.
 */
@FunctionalInterface
public interface CredentialsApplier {
  /**
   * Makes new connections use the credentials and retires the old connections gently.
   *
   * @param credentials the verified pair
   * @throws Exception if the switch failed; it is retried like a refused check
   */
  void apply(DatabaseCredentials credentials) throws Exception;
}
