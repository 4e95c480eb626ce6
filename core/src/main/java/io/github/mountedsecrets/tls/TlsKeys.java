package io.github.mountedsecrets.tls;

import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Which keys of a mount hold one set of TLS material: the certificate chain, the private key,
 * optionally the private key's password and trusted certificates. A key is a file
 * ({@code tls.crt}) or a field of a JSON secret ({@code web-tls.certificate}); the
 * certificate and the private key may be the same key, a combined PEM file.
 *
 * <p>Immutable; {@code with...} methods return a copy.
 */
public final class TlsKeys {
  private final String certificate;
  private final String privateKey;
  private final String privateKeyPassword;
  private final String trust;

  private TlsKeys(String certificate, String privateKey, String privateKeyPassword, String trust) {
    this.certificate = requireKey(certificate, "certificate");
    this.privateKey = requireKey(privateKey, "privateKey");
    this.privateKeyPassword = privateKeyPassword;
    this.trust = trust;
  }

  /**
   * Returns the keys of a certificate chain and a private key in two files (or fields).
   *
   * @param certificate the key holding the PEM certificate chain, leaf first
   * @param privateKey the key holding the PEM private key
   * @return the keys
   * @throws IllegalArgumentException if a key is blank
   */
  public static TlsKeys of(String certificate, String privateKey) {
    return new TlsKeys(certificate, privateKey, null, null);
  }

  /**
   * Returns the key of one combined PEM file holding the private key and the chain.
   *
   * @param pem the key holding both
   * @return the keys
   * @throws IllegalArgumentException if the key is blank
   */
  public static TlsKeys combined(String pem) {
    return new TlsKeys(pem, pem, null, null);
  }

  /**
   * Returns a copy whose private key is encrypted PKCS#8, with the password in another key.
   *
   * @param passwordKey the key holding the password (UTF-8 text)
   * @return a copy
   * @throws IllegalArgumentException if the key is blank
   */
  public TlsKeys withPrivateKeyPassword(String passwordKey) {
    return new TlsKeys(certificate, privateKey, requireKey(passwordKey, "privateKeyPassword"), trust);
  }

  /**
   * Returns a copy that also reads trusted certificates (PEM, one or several).
   *
   * @param trustKey the key holding the trusted certificates
   * @return a copy
   * @throws IllegalArgumentException if the key is blank
   */
  public TlsKeys withTrust(String trustKey) {
    return new TlsKeys(certificate, privateKey, privateKeyPassword, requireKey(trustKey, "trust"));
  }

  /**
   * Returns the key holding the certificate chain.
   *
   * @return the key
   */
  public String certificate() {
    return certificate;
  }

  /**
   * Returns the key holding the private key.
   *
   * @return the key
   */
  public String privateKey() {
    return privateKey;
  }

  /**
   * Returns the key holding the private key's password, if any.
   *
   * @return the key, or empty
   */
  public Optional<String> privateKeyPassword() {
    return Optional.ofNullable(privateKeyPassword);
  }

  /**
   * Returns the key holding trusted certificates, if any.
   *
   * @return the key, or empty
   */
  public Optional<String> trust() {
    return Optional.ofNullable(trust);
  }

  /**
   * Returns every key named here, in the order certificate, private key, password, trust.
   *
   * @return the distinct keys
   */
  public Set<String> all() {
    Set<String> all = new LinkedHashSet<>();
    all.add(certificate);
    all.add(privateKey);
    if (privateKeyPassword != null) {
      all.add(privateKeyPassword);
    }
    if (trust != null) {
      all.add(trust);
    }
    return all;
  }

  private static String requireKey(String key, String what) {
    Objects.requireNonNull(key, what);
    if (key.isBlank()) {
      throw new IllegalArgumentException(what + " key must not be blank, but was '" + key + "'");
    }
    return key;
  }

  @Override
  public boolean equals(Object other) {
    if (!(other instanceof TlsKeys)) {
      return false;
    }
    TlsKeys that = (TlsKeys) other;
    return certificate.equals(that.certificate) && privateKey.equals(that.privateKey)
        && Objects.equals(privateKeyPassword, that.privateKeyPassword)
        && Objects.equals(trust, that.trust);
  }

  @Override
  public int hashCode() {
    return Objects.hash(certificate, privateKey, privateKeyPassword, trust);
  }

  @Override
  public String toString() {
    return "TlsKeys[certificate=" + certificate + ", privateKey=" + privateKey
        + (privateKeyPassword == null ? "" : ", privateKeyPassword=" + privateKeyPassword)
        + (trust == null ? "" : ", trust=" + trust) + "]";
  }
}
