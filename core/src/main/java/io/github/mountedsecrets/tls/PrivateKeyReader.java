package io.github.mountedsecrets.tls;

import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.PBEParameterSpec;

/**
 * Decodes a PEM private key with the JDK alone: PKCS#8 ({@code PRIVATE KEY}), encrypted
 * PKCS#8 ({@code ENCRYPTED PRIVATE KEY}, PBES1 and PBES2 as the JDK's providers support
 * them), PKCS#1 ({@code RSA PRIVATE KEY}) and SEC1 ({@code EC PRIVATE KEY}). PKCS#1 and SEC1
 * are wrapped into PKCS#8 by hand (RFC 5208 PrivateKeyInfo with the algorithm identifier
 * they imply), so no provider beyond the JDK's is needed.
 *
 * <p>Failures throw {@link IllegalArgumentException} whose message names the format and the
 * reason only; JDK exceptions are not attached, as nothing guarantees their messages carry no
 * key material.
 */
final class PrivateKeyReader {
  static final String RSA = "1.2.840.113549.1.1.1";
  static final String EC = "1.2.840.10045.2.1";
  private static final String PBES2 = "1.2.840.113549.1.5.13";
  /**
   * The most key-derivation iterations an encrypted key may ask for, as the JDK caps PKCS#12
   * stores: a key file could otherwise hold the reading thread for hours. OpenSSL writes 2,048
   * by default; 600,000 is today's advice for PBKDF2 with SHA-256.
   */
  static final int MAX_ITERATIONS = 5_000_000;
  private static final Map<String, String> ALGORITHMS = Map.of(
      RSA, "RSA",
      EC, "EC",
      "1.2.840.113549.1.1.10", "RSASSA-PSS",
      "1.3.101.112", "Ed25519",
      "1.3.101.113", "Ed448",
      "1.2.840.10040.4.1", "DSA");

  private PrivateKeyReader() {}

  /** Whether a block's label is one of the private key labels read here. */
  static boolean isKey(PemBlock block) {
    switch (block.label) {
      case "PRIVATE KEY":
      case "ENCRYPTED PRIVATE KEY":
      case "RSA PRIVATE KEY":
      case "EC PRIVATE KEY":
        return true;
      default:
        return false;
    }
  }

  /** Whether a key block needs a password. */
  static boolean isEncrypted(PemBlock block) {
    return block.label.equals("ENCRYPTED PRIVATE KEY") || block.legacyEncrypted;
  }

  /**
   * Decodes a key block.
   *
   * @param password the password for an encrypted key, or null
   */
  static PrivateKey read(PemBlock block, char[] password) {
    if (block.legacyEncrypted) {
      throw new IllegalArgumentException("it is a legacy OpenSSL-encrypted key (Proc-Type "
          + "header), which the JDK cannot read; convert it to encrypted PKCS#8 with 'openssl "
          + "pkcs8 -topk8 -v2 aes-256-cbc'");
    }
    switch (block.label) {
      case "PRIVATE KEY":
        return fromPkcs8(block.der, "PKCS#8");
      case "RSA PRIVATE KEY":
        return fromPkcs8(wrap(RSA, Der.tlv(Der.NULL, new byte[0]), block.der), "PKCS#1 RSA");
      case "EC PRIVATE KEY":
        return fromPkcs8(fromSec1(block.der), "SEC1 EC");
      case "ENCRYPTED PRIVATE KEY":
        return decrypt(block.der, password);
      default:
        throw new IllegalArgumentException("'" + block.label + "' is not a private key");
    }
  }

  private static PrivateKey decrypt(byte[] der, char[] password) {
    if (password == null) {
      throw new IllegalArgumentException("it is an encrypted PKCS#8 key and no password key "
          + "is configured");
    }
    EncryptedPrivateKeyInfo info;
    try {
      Der.requireDefinite(der);
      info = new EncryptedPrivateKeyInfo(der);
    } catch (java.io.IOException | RuntimeException e) {
      throw new IllegalArgumentException("it is not a valid encrypted PKCS#8 structure");
    }
    String algorithm = info.getAlgName();
    AlgorithmParameters parameters = info.getAlgParameters();
    // PBES2 is named by its OID (or "PBES2"); the JDK names the scheme it holds, such as
    // PBEWithHmacSHA256AndAES_256, through the parameters.
    if (parameters != null && (algorithm.equals(PBES2) || algorithm.equalsIgnoreCase("PBES2"))) {
      algorithm = parameters.toString();
    }
    int iterations = iterations(parameters);
    if (iterations > MAX_ITERATIONS) {
      throw new IllegalArgumentException("it is encrypted with " + iterations + " key-derivation "
          + "iterations, more than the " + MAX_ITERATIONS + " allowed; encrypt it again with "
          + "fewer (for example openssl pkcs8 -topk8 -v2 aes-256-cbc -iter 600000)");
    }
    byte[] pkcs8;
    try {
      SecretKeyFactory factory = SecretKeyFactory.getInstance(algorithm);
      PBEKeySpec spec = new PBEKeySpec(password);
      try {
        Cipher cipher = Cipher.getInstance(algorithm);
        cipher.init(Cipher.DECRYPT_MODE, factory.generateSecret(spec), parameters);
        pkcs8 = info.getKeySpec(cipher).getEncoded();
      } finally {
        spec.clearPassword();
      }
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalArgumentException("it is encrypted with " + algorithm + ", which this "
          + "JDK does not support");
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new IllegalArgumentException("it could not be decrypted with the configured "
          + "password (wrong password or damaged key)");
    }
    try {
      return fromPkcs8(pkcs8, "decrypted PKCS#8");
    } finally {
      Arrays.fill(pkcs8, (byte) 0);
    }
  }

  /** The iteration count the parameters ask for, or 0 when they name none the JDK can read. */
  private static int iterations(AlgorithmParameters parameters) {
    if (parameters == null) {
      return 0;
    }
    try {
      return parameters.getParameterSpec(PBEParameterSpec.class).getIterationCount();
    } catch (GeneralSecurityException | RuntimeException e) {
      return 0;
    }
  }

  private static PrivateKey fromPkcs8(byte[] pkcs8, String format) {
    String algorithm;
    List<byte[]> info;
    try {
      Der.requireDefinite(pkcs8);
      info = Der.children(pkcs8);
      algorithm = ALGORITHMS.get(Der.oid(Der.children(info.get(1)).get(0)));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("it is not a valid " + format + " key");
    }
    if (algorithm == null) {
      throw new IllegalArgumentException("its " + format + " key algorithm is not one of "
          + "RSA, RSASSA-PSS, EC, Ed25519, Ed448, DSA");
    }
    try {
      // The JDK parses the key inside the OCTET STRING as DER of its own.
      Der.requireDefinite(Der.content(info.get(2)));
      return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new IllegalArgumentException("it is not a valid " + format + " " + algorithm + " key");
    }
  }

  /** SEC1 ECPrivateKey (RFC 5915) with its named curve in [0] to PKCS#8. */
  private static byte[] fromSec1(byte[] sec1) {
    byte[] curve = null;
    try {
      for (byte[] element : Der.children(sec1)) {
        if (Der.tag(element) == 0xA0) {
          byte[] parameters = Der.content(element);
          if (Der.tag(parameters) == Der.OID) {
            curve = parameters;
          }
        }
      }
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("it is not a valid SEC1 EC key");
    }
    if (curve == null) {
      throw new IllegalArgumentException("its SEC1 EC key names no curve (write it with "
          + "'openssl ec -param_enc named_curve' or as PKCS#8)");
    }
    return wrap(EC, curve, sec1);
  }

  /** PrivateKeyInfo: version 0, algorithm identifier, the key as an OCTET STRING. */
  private static byte[] wrap(String algorithmOid, byte[] parameters, byte[] key) {
    return Der.sequence(
        Der.tlv(Der.INTEGER, new byte[] {0}),
        Der.sequence(Der.oid(algorithmOid), parameters),
        Der.tlv(Der.OCTET_STRING, key));
  }
}
