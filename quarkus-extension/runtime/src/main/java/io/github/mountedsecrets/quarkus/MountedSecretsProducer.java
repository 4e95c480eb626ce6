package io.github.mountedsecrets.quarkus;

import io.github.mountedsecrets.MountedSecrets;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Makes the application's {@link MountedSecrets} injectable: the same instance the config
 * source reads, closed when the application stops (not by CDI).
 */
@Singleton
final class MountedSecretsProducer {
  @Produces
  @Singleton
  MountedSecrets mountedSecrets(MountedSecretsConfig config) {
    return SharedMounts.obtain(config);
  }
}
