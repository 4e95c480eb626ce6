package io.github.mountedsecrets.spring.ssl;

import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.tls.TlsKeys;
import io.github.mountedsecrets.tls.TlsMaterial;
import io.github.mountedsecrets.tls.TlsRotation;
import io.github.mountedsecrets.tls.TlsStatus;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundleKey;
import org.springframework.boot.ssl.SslBundleRegistry;
import org.springframework.boot.ssl.SslStoreBundle;

/**
 * The SSL bundles served from the mount: one core {@link TlsRotation} per
 * {@code mounted-secrets.ssl.bundle.<name>}, registered in Spring Boot's
 * {@link SslBundleRegistry} at startup and updated there
 * ({@link SslBundleRegistry#updateBundle}) on every verified rotation, so that embedded
 * servers ({@code server.ssl.bundle=<name>}) and clients that registered update handlers
 * follow. A refused generation (mismatched, half-written, expired) never reaches the registry.
 */
public final class MountedSslBundles implements DisposableBean {
  private static final Logger LOG = LoggerFactory.getLogger(MountedSslBundles.class);

  private final Map<String, TlsRotation> rotations;

  MountedSslBundles(Map<String, TlsRotation> rotations) {
    this.rotations = Collections.unmodifiableMap(new TreeMap<>(rotations));
  }

  /** Creates a rotation per configured bundle, each over the first mount holding its certificate. */
  static MountedSslBundles create(MountedSecretsSslProperties properties,
      List<MountedSecrets> mounts) {
    Map<String, TlsRotation> rotations = new TreeMap<>();
    try {
      properties.getBundle().forEach((name, bundle) -> {
        TlsKeys keys = keys(name, bundle);
        MountedSecrets secrets = mounts.stream()
            .filter(m -> m.snapshot().contains(keys.certificate()))
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("mounted-secrets.ssl.bundle." + name
                + ".certificate names key '" + keys.certificate() + "', which no secrets mount "
                + "holds (mounts: " + mounts.stream().map(m -> m.directory().toString())
                    .collect(Collectors.joining(", ")) + ")"));
        rotations.put(name, TlsRotation.builder(secrets).name(name).keys(keys)
            .expiryWarning(bundle.getExpiryWarning()).build());
      });
    } catch (RuntimeException e) {
      rotations.values().forEach(TlsRotation::close);
      throw e;
    }
    return new MountedSslBundles(rotations);
  }

  private static TlsKeys keys(String name, MountedSecretsSslProperties.Bundle bundle) {
    String prefix = "mounted-secrets.ssl.bundle." + name + ".";
    if (bundle.getCertificate() == null || bundle.getCertificate().isBlank()) {
      throw new IllegalStateException(prefix + "certificate must name the key of the mount "
          + "that holds the PEM certificate chain");
    }
    String privateKey = bundle.getPrivateKey() == null ? bundle.getCertificate() : bundle.getPrivateKey();
    TlsKeys keys = TlsKeys.of(bundle.getCertificate(), privateKey);
    if (bundle.getPrivateKeyPassword() != null) {
      keys = keys.withPrivateKeyPassword(bundle.getPrivateKeyPassword());
    }
    if (bundle.getTrust() != null) {
      keys = keys.withTrust(bundle.getTrust());
    }
    return keys;
  }

  /** Registers every bundle and follows its rotations. */
  void register(SslBundleRegistry registry) {
    rotations.forEach((name, rotation) -> {
      registry.registerBundle(name, bundle(rotation.current()));
      rotation.onUpdate(material -> {
        registry.updateBundle(name, bundle(material));
        LOG.debug("SSL bundle '{}' updated to {}", name, material);
      });
    });
  }

  /** Returns a Spring Boot bundle of checked material: in-memory stores, the key's alias. */
  static SslBundle bundle(TlsMaterial material) {
    SslStoreBundle stores = SslStoreBundle.of(material.keyStore(), TlsMaterial.KEY_STORE_PASSWORD,
        material.trustStore().orElse(null));
    return SslBundle.of(stores, SslBundleKey.of(TlsMaterial.KEY_STORE_PASSWORD, TlsMaterial.KEY_ALIAS));
  }

  /**
   * Returns the rotation of each bundle, by bundle name.
   *
   * @return an unmodifiable sorted map
   */
  public Map<String, TlsRotation> rotations() {
    return rotations;
  }

  /**
   * Returns the status of each bundle (served certificate, days left, last refused generation),
   * by bundle name.
   *
   * @return an unmodifiable sorted map
   */
  public Map<String, TlsStatus> statuses() {
    Map<String, TlsStatus> statuses = new TreeMap<>();
    rotations.forEach((name, rotation) -> statuses.put(name, rotation.status()));
    return Collections.unmodifiableMap(statuses);
  }

  /** Stops following the mount; the registered bundles stay as they are. */
  @Override
  public void destroy() {
    rotations.values().forEach(TlsRotation::close);
  }

  @Override
  public String toString() {
    return "MountedSslBundles" + rotations.keySet();
  }
}
