package io.github.mountedsecrets.test;

import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.PBEParameterSpec;

/**
 * A certificate made by a {@link CertificateAuthority}, with its chain and private key, and
 * the PEM texts a secrets mount would carry.
 *
 * <p>{@link #toString()} names the subject and the end of validity, never the key.
 */
public final class IssuedCertificate {
  /** How a private key is written in PEM. */
  public enum KeyFormat {
    /** {@code BEGIN PRIVATE KEY}: PKCS#8, any algorithm. */
    PKCS8,
    /** {@code BEGIN RSA PRIVATE KEY}: PKCS#1, RSA keys only. */
    PKCS1,
    /** {@code BEGIN EC PRIVATE KEY}: SEC1 (RFC 5915) with the named curve, EC keys only. */
    SEC1
  }


  private final List<X509Certificate> chain;
  private final PrivateKey privateKey;
  private final CertificateAuthority.KeyType keyType;

  IssuedCertificate(List<X509Certificate> chain, PrivateKey privateKey,
      CertificateAuthority.KeyType keyType) {
    this.chain = List.copyOf(chain);
    this.privateKey = privateKey;
    this.keyType = keyType;
  }

  /**
   * Returns the certificate itself (the leaf).
   *
   * @return the certificate
   */
  public X509Certificate certificate() {
    return chain.get(0);
  }

  /**
   * Returns the certificate followed by the intermediates that issued it, without the root.
   *
   * @return the chain, leaf first
   */
  public List<X509Certificate> chain() {
    return chain;
  }

  /**
   * Returns the private key.
   *
   * @return the key
   */
  public PrivateKey privateKey() {
    return privateKey;
  }

  /**
   * Returns the type of the key.
   *
   * @return the key type
   */
  public CertificateAuthority.KeyType keyType() {
    return keyType;
  }

  /**
   * Returns the leaf certificate alone as PEM.
   *
   * @return one {@code CERTIFICATE} block
   */
  public String certificatePem() {
    return Pem.encode("CERTIFICATE", CertificateAuthority.encoded(certificate()));
  }

  /**
   * Returns the chain as PEM, leaf first: what {@code tls.crt} holds.
   *
   * @return one {@code CERTIFICATE} block per certificate
   */
  public String chainPem() {
    StringBuilder pem = new StringBuilder();
    for (X509Certificate certificate : chain) {
      pem.append(Pem.encode("CERTIFICATE", CertificateAuthority.encoded(certificate)));
    }
    return pem.toString();
  }

  /**
   * Returns the chain in reverse order (root side first), a broken file for tests.
   *
   * @return the certificates as PEM, leaf last
   */
  public String chainPemReversed() {
    StringBuilder pem = new StringBuilder();
    for (int i = chain.size() - 1; i >= 0; i--) {
      pem.append(Pem.encode("CERTIFICATE", CertificateAuthority.encoded(chain.get(i))));
    }
    return pem.toString();
  }

  /**
   * Returns the private key as PKCS#8 PEM ({@code BEGIN PRIVATE KEY}).
   *
   * @return the PEM text
   */
  public String privateKeyPem() {
    return privateKeyPem(KeyFormat.PKCS8);
  }

  /**
   * Returns the private key as PEM in the given format.
   *
   * @param format PKCS#8, PKCS#1 (RSA keys) or SEC1 (EC keys)
   * @return the PEM text
   * @throws IllegalArgumentException if the format does not fit the key type
   */
  public String privateKeyPem(KeyFormat format) {
    byte[] pkcs8 = privateKey.getEncoded();
    switch (format) {
      case PKCS8:
        return Pem.encode("PRIVATE KEY", pkcs8);
      case PKCS1:
        require(keyType == CertificateAuthority.KeyType.RSA, format);
        return Pem.encode("RSA PRIVATE KEY", DerWriter.content(DerWriter.children(pkcs8).get(2)));
      case SEC1:
        require(keyType == CertificateAuthority.KeyType.EC, format);
        return Pem.encode("EC PRIVATE KEY", sec1(pkcs8));
      default:
        throw new IllegalArgumentException(format.toString());
    }
  }

  /**
   * Returns the private key as encrypted PKCS#8 PEM ({@code BEGIN ENCRYPTED PRIVATE KEY}),
   * encrypted with PBES2 (PBKDF2 with HMAC-SHA256, AES-256-CBC), as
   * {@code openssl pkcs8 -topk8 -v2 aes-256-cbc} writes it.
   *
   * @param password the password
   * @return the PEM text
   */
  public String encryptedPrivateKeyPem(char[] password) {
    Objects.requireNonNull(password, "password");
    try {
      String algorithm = "PBEWithHmacSHA256AndAES_256";
      byte[] salt = new byte[16];
      byte[] iv = new byte[16];
      SecureRandom random = new SecureRandom();
      random.nextBytes(salt);
      random.nextBytes(iv);
      PBEParameterSpec spec = new PBEParameterSpec(salt, 10_000,
          new javax.crypto.spec.IvParameterSpec(iv));
      SecretKey key = SecretKeyFactory.getInstance(algorithm)
          .generateSecret(new PBEKeySpec(password));
      Cipher cipher = Cipher.getInstance(algorithm);
      cipher.init(Cipher.ENCRYPT_MODE, key, spec);
      byte[] encrypted = cipher.doFinal(privateKey.getEncoded());
      AlgorithmParameters parameters = cipher.getParameters();
      // JDK 17's EncryptedPrivateKeyInfo cannot name PBES2 parameters by their algorithm, so
      // the structure (RFC 5208 section 6, RFC 8018 PBES2) is written here.
      return Pem.encode("ENCRYPTED PRIVATE KEY", DerWriter.sequence(
          DerWriter.sequence(DerWriter.oid("1.2.840.113549.1.5.13"), parameters.getEncoded()),
          DerWriter.octetString(encrypted)));
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException("cannot encrypt the private key", e);
    }
  }

  /**
   * Returns the private key followed by the chain in one PEM text, as Azure Key Vault and
   * {@code cat tls.key tls.crt} write a combined file.
   *
   * @return the combined PEM text
   */
  public String combinedPem() {
    return privateKeyPem() + chainPem();
  }

  private static void require(boolean fits, KeyFormat format) {
    if (!fits) {
      throw new IllegalArgumentException(format + " does not fit this key type");
    }
  }

  /** Rewrites JDK PKCS#8 EC key as SEC1 with the named curve in its [0] parameters. */
  private static byte[] sec1(byte[] pkcs8) {
    List<byte[]> info = DerWriter.children(pkcs8);
    byte[] curve = DerWriter.children(info.get(1)).get(1);
    List<byte[]> ecPrivateKey = DerWriter.children(DerWriter.content(info.get(2)));
    byte[] version = ecPrivateKey.get(0);
    byte[] secret = ecPrivateKey.get(1);
    byte[] publicKey = new byte[0];
    for (byte[] element : ecPrivateKey.subList(2, ecPrivateKey.size())) {
      if ((element[0] & 0xFF) == 0xA1) {
        publicKey = element;
      }
    }
    return DerWriter.sequence(version, secret, DerWriter.explicit(0, curve), publicKey);
  }

  @Override
  public String toString() {
    return "IssuedCertificate[" + certificate().getSubjectX500Principal() + ", " + keyType
        + ", notAfter " + certificate().getNotAfter().toInstant() + "]";
  }
}
