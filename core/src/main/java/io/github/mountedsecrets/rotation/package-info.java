/**
 * The rotation toolkit: moves a connection pool to new database credentials from the mount,
 * only once the database accepts them, without failing a query.
 *
 * <p>Everything here is independent of the pool: {@link
 * io.github.mountedsecrets.rotation.CredentialsRotation} (verify, then switch; retries with
 * exponential backoff and jitter; {@link io.github.mountedsecrets.rotation.RotationStatus}
 * and its reasons), {@link io.github.mountedsecrets.rotation.JdbcVerifier} (the one check
 * with a JDBC connection) and the follow-up evictions after a switch. A pool adapter only
 * says how to hand its pool new credentials and how to retire its connections: it
 * implements {@link io.github.mountedsecrets.rotation.PoolSwitch} and passes it to
 * {@link io.github.mountedsecrets.rotation.CredentialsRotation.Builder#pool(PoolSwitch)}.
 *
 * <p>This package depends on the root package {@code io.github.mountedsecrets}; the root
 * package does not depend on it.
 */
package io.github.mountedsecrets.rotation;
