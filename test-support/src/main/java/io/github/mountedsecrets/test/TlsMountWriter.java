package io.github.mountedsecrets.test;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Writes TLS material into a {@link SecretsMount} the ways a provider does: the certificate
 * and key in separate files or in one combined PEM file, as a whole generation, with a key that
 * does not match its certificate, or with the key landing well before its certificate.
 *
 * <p>In the {@linkplain SecretsMount.Layout#FILE_BY_FILE file-by-file} layout a whole
 * generation is written key first, then certificate (two renames); in the atomic-writer layout
 * it is one switch.
 */
public final class TlsMountWriter {
  private final SecretsMount mount;
  private final String certificateKey;
  private final String privateKeyKey;

  private TlsMountWriter(SecretsMount mount, String certificateKey, String privateKeyKey) {
    this.mount = Objects.requireNonNull(mount, "mount");
    this.certificateKey = Objects.requireNonNull(certificateKey, "certificateKey");
    this.privateKeyKey = Objects.requireNonNull(privateKeyKey, "privateKeyKey");
  }

  /**
   * Returns a writer of two files: the chain in one, the PKCS#8 key in the other.
   *
   * @param mount the mount
   * @param certificateKey the certificate file, e.g. {@code tls.crt}
   * @param privateKeyKey the key file, e.g. {@code tls.key}
   * @return the writer
   */
  public static TlsMountWriter separateFiles(SecretsMount mount, String certificateKey,
      String privateKeyKey) {
    return new TlsMountWriter(mount, certificateKey, privateKeyKey);
  }

  /**
   * Returns a writer of one combined PEM file: key first, then the chain.
   *
   * @param mount the mount
   * @param file the combined file, e.g. {@code tls.pem}
   * @return the writer
   */
  public static TlsMountWriter combinedFile(SecretsMount mount, String file) {
    return new TlsMountWriter(mount, file, file);
  }

  /**
   * Returns whether this writer writes one combined file.
   *
   * @return true for one file
   */
  public boolean combined() {
    return certificateKey.equals(privateKeyKey);
  }

  /**
   * Returns the mount this writer writes to.
   *
   * @return the mount
   */
  public SecretsMount mount() {
    return mount;
  }

  /**
   * Writes one matching generation.
   *
   * @param material the certificate and key
   * @return this writer
   */
  public TlsMountWriter publish(IssuedCertificate material) {
    return publish(material, material);
  }

  /**
   * Writes a generation whose key belongs to another certificate: a broken generation that a
   * reader must refuse.
   *
   * @param certificateFrom whose chain to write
   * @param keyFrom whose private key to write
   * @return this writer
   */
  public TlsMountWriter publishMismatched(IssuedCertificate certificateFrom,
      IssuedCertificate keyFrom) {
    return publish(certificateFrom, keyFrom);
  }

  /**
   * Writes the key, waits {@code gap}, then writes the certificate: a provider writing files
   * one by one with a pause between them (longer than a reader's quiet period, for the test
   * that a reader never serves the new key with the old certificate). The pause is part of the
   * simulated writer, not a wait for a condition. For a combined file this is one write.
   *
   * @param material the certificate and key
   * @param gap the time between the two files
   * @return this writer
   */
  public TlsMountWriter publishKeyFirst(IssuedCertificate material, Duration gap) {
    if (combined()) {
      return publish(material);
    }
    mount.put(privateKeyKey, material.privateKeyPem());
    try {
      Thread.sleep(gap.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted between the key and the certificate", e);
    }
    mount.put(certificateKey, material.chainPem());
    return this;
  }

  private TlsMountWriter publish(IssuedCertificate certificateFrom, IssuedCertificate keyFrom) {
    if (combined()) {
      mount.put(certificateKey, keyFrom.privateKeyPem() + certificateFrom.chainPem());
      return this;
    }
    Map<String, String> files = new LinkedHashMap<>();
    files.put(privateKeyKey, keyFrom.privateKeyPem());
    files.put(certificateKey, certificateFrom.chainPem());
    mount.putAll(files);
    return this;
  }

  @Override
  public String toString() {
    return "TlsMountWriter[" + mount.directory() + ", " + certificateKey
        + (combined() ? "" : ", " + privateKeyKey) + "]";
  }
}
