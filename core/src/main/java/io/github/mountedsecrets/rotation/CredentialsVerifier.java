package io.github.mountedsecrets.rotation;

import io.github.mountedsecrets.DatabaseCredentials;

/**
 * Checks that the database accepts a pair of credentials, for example by opening one
 * connection with it ({@link JdbcVerifier}). A {@link CredentialsRotation} switches a pool only
 * to a pair its verifier accepted.
 */
@FunctionalInterface
public interface CredentialsVerifier {
  /**
   * Throws if the database refuses the credentials.
   *
   * @param credentials the pair to check
   * @throws Exception if they are refused or cannot be checked
   */
  void verify(DatabaseCredentials credentials) throws Exception;
}
