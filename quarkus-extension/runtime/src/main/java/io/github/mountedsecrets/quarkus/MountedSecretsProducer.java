package io.github.mountedsecrets.quarkus;

import io.github.mountedsecrets.MountedSecrets;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Makes the application's {@link MountedSecrets} injectable: the same instance the config
 * source reads, closed when the application stops (not by CDI).
 *
 * <p>Application scoped, so injection points get a client proxy and the instance is looked
 * up at the first call. A bean created while the application is statically initialized
 * (Quarkus REST creates its {@code @Provider} filters then) can therefore inject it, although
 * the run-time configuration that names the mount does not exist yet. The core class is
 * final with a private constructor; the extension indexes it so that ArC makes it proxyable
 * at build time ({@code quarkus.arc.transform-unproxyable-classes}, on by default).
 */
@Singleton
public final class MountedSecretsProducer {
  @Produces
  @ApplicationScoped
  MountedSecrets mountedSecrets(MountedSecretsConfig config) {
    return SharedMounts.obtain(config);
  }
}
