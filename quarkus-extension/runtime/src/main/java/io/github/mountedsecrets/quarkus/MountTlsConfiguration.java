package io.github.mountedsecrets.quarkus;

import io.github.mountedsecrets.tls.TlsMaterial;
import io.quarkus.tls.TlsConfiguration;
import io.vertx.core.Vertx;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.SSLOptions;
import io.vertx.core.net.TrustOptions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * A Quarkus {@link TlsConfiguration} backed by the checked {@link TlsMaterial} a mount serves.
 *
 * <p>The Vert.x options ({@link #getSSLOptions()}, {@link #getKeyStoreOptions()},
 * {@link #getTrustStoreOptions()}) and {@link #createSSLContext()} are built once, over a key
 * manager and a trust manager that serve the material in service at each handshake: a server
 * built from them presents every verified rotation at its next handshake, without rebuilding
 * its TLS context. The options are equal from one call to the next, so a server that is asked
 * to update them on a {@code CertificateUpdatedEvent} has nothing to rebuild; Vert.x 4.5
 * refuses connections while it rebuilds a server's TLS context (the new context is published
 * before it is built), which the first version of this class, new options per rotation, showed
 * under load.
 *
 * <p>{@link #getKeyStore()} and {@link #getTrustStore()} return the stores of the material in
 * service, built once per generation and swapped in one volatile write.
 *
 * <p>{@link #reload()} returns false: the material follows the mount by itself, and each
 * verified rotation is announced with a {@code CertificateUpdatedEvent}.
 */
public final class MountTlsConfiguration implements TlsConfiguration {
  private final String name;
  private final FollowingKeyManager keyManager;
  private final FollowingTrustManager trustManager;
  private final KeyCertOptions keyCertOptions;
  private final TrustOptions trustOptions;
  private volatile Served served;

  MountTlsConfiguration(String name, TlsMaterial material) {
    this.name = Objects.requireNonNull(name, "name");
    this.served = new Served(material);
    this.keyManager = new FollowingKeyManager(material);
    this.keyCertOptions = new SameKeyCertOptions(KeyCertOptions.wrap(keyManager));
    if (material.trustStore().isPresent()) {
      this.trustManager = new FollowingTrustManager(material);
      this.trustOptions = new SameTrustOptions(TrustOptions.wrap(trustManager));
    } else {
      this.trustManager = null;
      this.trustOptions = null;
    }
  }

  /** Serves new checked material from the next handshake on. */
  void update(TlsMaterial material) {
    Served next = new Served(material);
    keyManager.serve(material);
    if (trustManager != null) {
      trustManager.serve(material);
    }
    served = next;
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
    return keyCertOptions;
  }

  @Override
  public KeyStore getTrustStore() {
    return served.trustStore;
  }

  @Override
  public TrustOptions getTrustStoreOptions() {
    return trustOptions;
  }

  @Override
  public SSLOptions getSSLOptions() {
    SSLOptions options = new SSLOptions();
    options.setKeyCertOptions(keyCertOptions);
    options.setTrustOptions(trustOptions);
    options.setUseAlpn(true);
    return options;
  }

  @Override
  public SSLContext createSSLContext() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(new KeyManager[] {keyManager},
          trustManager == null ? null : new TrustManager[] {trustManager}, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("TLS configuration '" + name
          + "': cannot initialize a TLS context (" + e.getClass().getSimpleName() + ")");
    }
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

  /** One generation's key and trust stores, built once. */
  private static final class Served {
    final TlsMaterial material;
    final KeyStore keyStore;
    final KeyStore trustStore;

    Served(TlsMaterial material) {
      this.material = material;
      this.keyStore = material.keyStore();
      this.trustStore = material.trustStore().orElse(null);
    }
  }

  /**
   * Key options whose copy is themselves: Vert.x copies the options it is given and compares
   * the copy with the options in use, so equal options mean no rebuild.
   */
  private static final class SameKeyCertOptions implements KeyCertOptions {
    private final KeyCertOptions wrapped;

    SameKeyCertOptions(KeyCertOptions wrapped) {
      this.wrapped = wrapped;
    }

    @Override
    public KeyCertOptions copy() {
      return this;
    }

    @Override
    public KeyManagerFactory getKeyManagerFactory(Vertx vertx) throws Exception {
      return wrapped.getKeyManagerFactory(vertx);
    }

    @Override
    public Function<String, KeyManagerFactory> keyManagerFactoryMapper(Vertx vertx)
        throws Exception {
      return wrapped.keyManagerFactoryMapper(vertx);
    }
  }

  /** Trust options whose copy is themselves, for the same reason. */
  private static final class SameTrustOptions implements TrustOptions {
    private final TrustOptions wrapped;

    SameTrustOptions(TrustOptions wrapped) {
      this.wrapped = wrapped;
    }

    @Override
    public TrustOptions copy() {
      return this;
    }

    @Override
    public TrustManagerFactory getTrustManagerFactory(Vertx vertx) throws Exception {
      return wrapped.getTrustManagerFactory(vertx);
    }

    @Override
    public Function<String, TrustManager[]> trustManagerMapper(Vertx vertx) throws Exception {
      return wrapped.trustManagerMapper(vertx);
    }
  }
}
