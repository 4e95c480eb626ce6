package io.github.mountedsecrets.spring.jdbc;

import com.zaxxer.hikari.HikariCredentialsProvider;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.util.Credentials;
import io.github.mountedsecrets.rotation.CredentialsRotation;
import io.github.mountedsecrets.DatabaseCredentials;

/**
 * HikariCP 7's {@link HikariCredentialsProvider} for a rotated pool: each new connection asks
 * for {@link CredentialsRotation#handOut()}, the pair the database last accepted, so a
 * connection opened while the pool switches already gets it. HikariCP 6 (Spring Boot 3.5) has
 * no such interface; this class is only loaded when it is present, and
 * the pool then keeps receiving the pair through {@code setCredentials} alone.
 *
 * <p>{@link #toString()} names the rotation, never the credentials.
 */
final class RotationCredentialsProvider implements HikariCredentialsProvider {
  private final CredentialsRotation rotation;

  private RotationCredentialsProvider(CredentialsRotation rotation) {
    this.rotation = rotation;
  }

  /**
   * Installs the provider on a pool that has not started and has no provider of its own.
   *
   * @return whether it was installed
   */
  static boolean install(HikariDataSource dataSource, CredentialsRotation rotation) {
    if (dataSource.getHikariPoolMXBean() != null || dataSource.getCredentialsProvider() != null
        || dataSource.getCredentialsProviderClassName() != null) {
      return false;
    }
    dataSource.setCredentialsProvider(new RotationCredentialsProvider(rotation));
    return true;
  }

  @Override
  public Credentials getCredentials() {
    DatabaseCredentials current = rotation.handOut();
    return Credentials.of(current.username(), current.password());
  }

  @Override
  public String toString() {
    return "RotationCredentialsProvider[" + rotation.name() + "]";
  }
}
