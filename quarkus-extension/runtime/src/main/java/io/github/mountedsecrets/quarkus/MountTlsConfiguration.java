package io.github.mountedsecrets.quarkus;

import io.github.mountedsecrets.tls.TlsMaterial;
import io.quarkus.tls.TlsConfiguration;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.SSLOptions;
import io.vertx.core.net.TrustOptions;
import java.security.KeyStore;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * A Quarkus {@link TlsConfiguration} backed by the checked {@link TlsMaterial} a mount serves.
 * Each update builds the key store, trust store and Vert.x options of the new material once,
 * then swaps them in one volatile write, so a reader never mixes two generations.
 *
 * <p>{@link #reload()} returns false: the material follows the mount by itself, and each
 * verified rotation is announced with a {@code CertificateUpdatedEvent}.
 */
public final class MountTlsConfiguration implements TlsConfiguration {
  private final String name;
  private volatile Served served;

  MountTlsConfiguration(String name, TlsMaterial material) {
    this.name = Objects.requireNonNull(name, "name");
    this.served = new Served(material);
  }

  /** Serves new checked material from now on. */
  void update(TlsMaterial material) {
    served = new Served(material);
  }

  /**
   * Returns the material in service.
   *
   * @return the last material that passed every check
   */
  public TlsMaterial material() {
    return served.material;
  }

  @Override
  public String getName() {
    return name;
  }

  @Override
  public KeyStore getKeyStore() {
    return served.keyStore;
  }

  @Override
  public KeyCertOptions getKeyStoreOptions() {
    return served.keyCertOptions;
  }

  @Override
  public KeyStore getTrustStore() {
    return served.trustStore;
  }

  @Override
  public TrustOptions getTrustStoreOptions() {
    return served.trustOptions;
  }

  @Override
  public SSLOptions getSSLOptions() {
    Served current = served;
    SSLOptions options = new SSLOptions();
    options.setKeyCertOptions(current.keyCertOptions);
    options.setTrustOptions(current.trustOptions);
    options.setUseAlpn(true);
    return options;
  }

  @Override
  public SSLContext createSSLContext() {
    return served.material.sslContext();
  }

  @Override
  public boolean isTrustAll() {
    return false;
  }

  @Override
  public Optional<String> getHostnameVerificationAlgorithm() {
    return Optional.of("HTTPS");
  }

  @Override
  public boolean usesSni() {
    return false;
  }

  @Override
  public boolean reload() {
    return false;
  }

  @Override
  public String toString() {
    return "MountTlsConfiguration[" + name + ", " + served.material + "]";
  }

  /** One generation's JDK and Vert.x objects, built once. */
  private static final class Served {
    final TlsMaterial material;
    final KeyStore keyStore;
    final KeyStore trustStore;
    final KeyCertOptions keyCertOptions;
    final TrustOptions trustOptions;

    Served(TlsMaterial material) {
      this.material = material;
      this.keyStore = material.keyStore();
      this.trustStore = material.trustStore().orElse(null);
      this.keyCertOptions = KeyCertOptions.wrap(material.keyManagerFactory());
      this.trustOptions = trustStore == null ? null
          : TrustOptions.wrap(material.trustManagerFactory());
    }
  }
}
