package io.github.mountedsecrets.quarkus;

import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.tls.TlsKeys;
import io.github.mountedsecrets.tls.TlsRotation;
import io.github.mountedsecrets.tls.TlsStatus;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.tls.CertificateUpdatedEvent;
import io.quarkus.tls.TlsConfigurationRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import org.jboss.logging.Logger;

/**
 * The TLS configurations served from the mount: one core {@link TlsRotation} per
 * {@code quarkus.mounted-secrets.tls."name"}, registered in the Quarkus
 * {@link TlsConfigurationRegistry} at startup, before the HTTP server opens its sockets, and
 * updated on every verified rotation, each update announced with a
 * {@link CertificateUpdatedEvent} so that the HTTP server
 * ({@code quarkus.http.tls-configuration-name}) and other listeners present the new
 * certificate without a restart. A refused generation never reaches the registry.
 *
 * <p>A bean only when the application has the Quarkus TLS registry.
 */
@Singleton
public final class MountedTlsConfigurations {
  private static final Logger LOG = Logger.getLogger(MountedTlsConfigurations.class);

  private final Map<String, TlsRotation> rotations = new TreeMap<>();
  private final Map<String, MountTlsConfiguration> configurations = new TreeMap<>();

  MountedTlsConfigurations(MountedSecretsConfig config, MountedSecrets secrets,
      TlsConfigurationRegistry registry, Event<CertificateUpdatedEvent> events) {
    try {
      config.tls().forEach((name, tls) -> {
        TlsRotation rotation = TlsRotation.builder(secrets).name(name).keys(keys(tls))
            .expiryWarning(tls.expiryWarning()).build();
        rotations.put(name, rotation);
        MountTlsConfiguration configuration =
            new MountTlsConfiguration(name, rotation.current());
        configurations.put(name, configuration);
        registry.register(name, configuration);
        rotation.onUpdate(material -> {
          configuration.update(material);
          events.fire(new CertificateUpdatedEvent(name, configuration));
          LOG.debugf("TLS configuration '%s' updated to %s", name, material);
        });
      });
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  private static TlsKeys keys(MountedSecretsConfig.TlsConfig tls) {
    TlsKeys keys = TlsKeys.of(tls.certificate(), tls.privateKey().orElse(tls.certificate()));
    if (tls.privateKeyPassword().isPresent()) {
      keys = keys.withPrivateKeyPassword(tls.privateKeyPassword().get());
    }
    if (tls.trust().isPresent()) {
      keys = keys.withTrust(tls.trust().get());
    }
    return keys;
  }

  /** Created at startup, before the HTTP server reads the registry. */
  void onStart(@Observes @Priority(0) StartupEvent event) {
    LOG.debugf("TLS configurations from the mount: %s", configurations.keySet());
  }

  /**
   * Returns the registered configuration of each name.
   *
   * @return an unmodifiable sorted map
   */
  public Map<String, MountTlsConfiguration> configurations() {
    return Collections.unmodifiableMap(configurations);
  }

  /**
   * Returns the rotation of each configuration, by name.
   *
   * @return an unmodifiable sorted map
   */
  public Map<String, TlsRotation> rotations() {
    return Collections.unmodifiableMap(rotations);
  }

  /**
   * Returns the status of each configuration (served certificate, days left, last refused
   * generation), by name.
   *
   * @return an unmodifiable sorted map
   */
  public Map<String, TlsStatus> statuses() {
    Map<String, TlsStatus> statuses = new TreeMap<>();
    rotations.forEach((name, rotation) -> statuses.put(name, rotation.status()));
    return Collections.unmodifiableMap(statuses);
  }

  /** Stops following the mount; the registered configurations keep their last material. */
  @PreDestroy
  void close() {
    rotations.values().forEach(TlsRotation::close);
  }

  @Override
  public String toString() {
    return "MountedTlsConfigurations" + configurations.keySet();
  }
}
