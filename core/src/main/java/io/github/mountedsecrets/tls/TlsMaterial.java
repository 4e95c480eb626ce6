package io.github.mountedsecrets.tls;

import io.github.mountedsecrets.SecretsSnapshot;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.PBEParameterSpec;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A certificate chain, its private key and optional trusted certificates, read from one
 * {@link SecretsSnapshot} and checked before use: the key matches the leaf certificate's
 * public key, each certificate of the chain is issued (and signed) by the next, and every
 * certificate of the chain is valid at the time of reading.
 *
 * <pre>{@code
 * TlsMaterial tls = TlsMaterial.read(secrets.snapshot(), TlsKeys.of("tls.crt", "tls.key"));
 * SSLContext context = tls.sslContext();
 * }</pre>
 *
 * <p>Formats, all read with the JDK alone: certificates as PEM {@code CERTIFICATE} blocks
 * (leaf first, then its issuers); private keys as PKCS#8 ({@code PRIVATE KEY}), encrypted
 * PKCS#8 ({@code ENCRYPTED PRIVATE KEY}, password from another key; PBES2 with PBKDF2 and
 * AES as OpenSSL writes it, and the PBES1 schemes the JDK has), PKCS#1 ({@code RSA PRIVATE
 * KEY}) and SEC1 ({@code EC PRIVATE KEY} with a named curve); RSA, RSASSA-PSS, EC, Ed25519,
 * Ed448 and DSA keys. The chain and the key may share one combined file or come from fields of
 * a JSON secret. Legacy OpenSSL encryption ({@code Proc-Type: 4,ENCRYPTED}) is refused with a
 * message saying how to convert the key.
 *
 * <p>Immutable and thread-safe. {@link #keyStore()} and the factories return new objects on
 * each call. {@link #toString()} names the subject, the validity and the fingerprint, never the
 * key.
 */
public final class TlsMaterial {
  /** Alias of the key entry in {@link #keyStore()}. */
  public static final String KEY_ALIAS = "tls";
  /**
   * Password of {@link #keyStore()} and its key entry: empty, because the store never leaves
   * memory; it exists only because the {@code KeyStore} API wants one.
   */
  public static final String KEY_STORE_PASSWORD = "";
  private static final String KEY_PROTECTION = "PBEWithHmacSHA256AndAES_256";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final TlsKeys keys;
  private final List<X509Certificate> chain;
  private final PrivateKey privateKey;
  private final List<X509Certificate> trust;
  private final String fingerprint;

  private TlsMaterial(TlsKeys keys, List<X509Certificate> chain, PrivateKey privateKey,
      List<X509Certificate> trust) {
    this.keys = keys;
    this.chain = List.copyOf(chain);
    this.privateKey = privateKey;
    this.trust = List.copyOf(trust);
    this.fingerprint = fingerprint(chain.get(0));
  }

  /**
   * Reads and checks TLS material from one snapshot at the current time.
   *
   * @param snapshot the snapshot, one consistent generation of the mount
   * @param keys which keys hold the material
   * @return the checked material
   * @throws TlsMaterialException naming the keys and the reason if it cannot be used
   */
  public static TlsMaterial read(SecretsSnapshot snapshot, TlsKeys keys) {
    return read(snapshot, keys, Clock.systemUTC().instant());
  }

  /**
   * Reads and checks TLS material from one snapshot.
   *
   * @param snapshot the snapshot, one consistent generation of the mount
   * @param keys which keys hold the material
   * @param now the time at which every certificate of the chain must be valid
   * @return the checked material
   * @throws TlsMaterialException naming the keys and the reason if it cannot be used
   */
  public static TlsMaterial read(SecretsSnapshot snapshot, TlsKeys keys, Instant now) {
    Objects.requireNonNull(snapshot, "snapshot");
    Objects.requireNonNull(keys, "keys");
    Objects.requireNonNull(now, "now");
    List<X509Certificate> chain =
        MaterialReader.certificates(snapshot, keys.certificate(), "certificate");
    PrivateKey privateKey = MaterialReader.privateKey(snapshot, keys);
    List<X509Certificate> trust = keys.trust().isPresent()
        ? MaterialReader.certificates(snapshot, keys.trust().get(), "trust") : List.of();
    MaterialChecks.keyMatches(keys, chain.get(0), privateKey);
    MaterialChecks.chainInOrder(keys, chain);
    MaterialChecks.validAt(keys, chain, now);
    return new TlsMaterial(keys, chain, privateKey, trust);
  }

  private static String fingerprint(X509Certificate certificate) {
    try {
      return HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  // ---------------------------------------------------------------------------------------
  // Accessors

  /**
   * Returns the keys this material was read from.
   *
   * @return the keys
   */
  public TlsKeys keys() {
    return keys;
  }

  /**
   * Returns the leaf certificate.
   *
   * @return the first certificate of the chain
   */
  public X509Certificate certificate() {
    return chain.get(0);
  }

  /**
   * Returns the certificate chain, leaf first.
   *
   * @return an unmodifiable list
   */
  public List<X509Certificate> certificateChain() {
    return chain;
  }

  /**
   * Returns the private key that matches the leaf certificate.
   *
   * @return the key
   */
  public PrivateKey privateKey() {
    return privateKey;
  }

  /**
   * Returns the trusted certificates read from the trust key; empty when none is configured.
   *
   * @return an unmodifiable list
   */
  public List<X509Certificate> trustCertificates() {
    return trust;
  }

  /**
   * Returns the end of the leaf certificate's validity.
   *
   * @return its {@code notAfter}
   */
  public Instant notAfter() {
    return certificate().getNotAfter().toInstant();
  }

  /**
   * Returns the start of the leaf certificate's validity.
   *
   * @return its {@code notBefore}
   */
  public Instant notBefore() {
    return certificate().getNotBefore().toInstant();
  }

  /**
   * Returns the leaf certificate's subject, for logs.
   *
   * @return the RFC 2253 name
   */
  public String subject() {
    return certificate().getSubjectX500Principal().getName();
  }

  /**
   * Returns the SHA-256 fingerprint of the leaf certificate (public data), in lower-case hex.
   *
   * @return the fingerprint
   */
  public String fingerprint() {
    return fingerprint;
  }

  /**
   * Returns whether another material holds the same chain, key and trusted certificates.
   *
   * @param other the other material
   * @return true if nothing differs
   */
  public boolean sameAs(TlsMaterial other) {
    return other != null && chain.equals(other.chain) && trust.equals(other.trust)
        && Arrays.equals(privateKey.getEncoded(), other.privateKey.getEncoded());
  }

  // ---------------------------------------------------------------------------------------
  // JDK objects

  /**
   * Returns a new in-memory PKCS#12 key store holding the key and chain under
   * {@value #KEY_ALIAS}, with the empty password {@link #KEY_STORE_PASSWORD}.
   *
   * @return a new key store
   */
  public KeyStore keyStore() {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      // One PBKDF2 iteration: the store never leaves memory and its password is empty, while
      // the JDK's default of 10,000 iterations, paid when the entry is stored and again each
      // time a key manager or a server reads it, costs tens of milliseconds per rotation.
      byte[] salt = new byte[16];
      byte[] iv = new byte[16];
      RANDOM.nextBytes(salt);
      RANDOM.nextBytes(iv);
      store.setEntry(KEY_ALIAS,
          new KeyStore.PrivateKeyEntry(privateKey, chain.toArray(new X509Certificate[0])),
          new KeyStore.PasswordProtection(KEY_STORE_PASSWORD.toCharArray(), KEY_PROTECTION,
              new PBEParameterSpec(salt, 1, new IvParameterSpec(iv))));
      return store;
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException("cannot create an in-memory PKCS#12 key store ("
          + e.getClass().getSimpleName() + ")");
    }
  }

  /**
   * Returns a new in-memory PKCS#12 trust store of the trusted certificates, or empty when
   * none are configured (the JDK's default trust then applies).
   *
   * @return a new trust store, or empty
   */
  public Optional<KeyStore> trustStore() {
    if (trust.isEmpty()) {
      return Optional.empty();
    }
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      for (int i = 0; i < trust.size(); i++) {
        store.setCertificateEntry("trust-" + (i + 1), trust.get(i));
      }
      return Optional.of(store);
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException("cannot create an in-memory PKCS#12 trust store", e);
    }
  }

  /**
   * Returns a new key manager factory (the JDK's default algorithm) over {@link #keyStore()}.
   *
   * @return an initialized factory
   */
  public KeyManagerFactory keyManagerFactory() {
    try {
      KeyManagerFactory factory =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      factory.init(keyStore(), KEY_STORE_PASSWORD.toCharArray());
      return factory;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot initialize a key manager factory ("
          + e.getClass().getSimpleName() + ")");
    }
  }

  /**
   * Returns a new trust manager factory over {@link #trustStore()}, or over the JDK's default
   * trust when no trusted certificates are configured.
   *
   * @return an initialized factory
   */
  public TrustManagerFactory trustManagerFactory() {
    try {
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(trustStore().orElse(null));
      return factory;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot initialize a trust manager factory", e);
    }
  }

  /**
   * Returns a new {@code TLS} context with this key and trust.
   *
   * @return an initialized context
   */
  public SSLContext sslContext() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keyManagerFactory().getKeyManagers(),
          trustManagerFactory().getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot initialize a TLS context", e);
    }
  }

  @Override
  public String toString() {
    return "TlsMaterial[" + subject() + ", notAfter " + notAfter() + ", sha256 " + fingerprint
        + ", chain " + chain.size() + ", trust " + trust.size() + ", " + keys + "]";
  }
}
