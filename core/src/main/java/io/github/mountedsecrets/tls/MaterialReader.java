package io.github.mountedsecrets.tls;

import io.github.mountedsecrets.SecretFormatException;
import io.github.mountedsecrets.SecretsSnapshot;
import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the parts of {@link TlsMaterial} from a snapshot: the PEM certificates of a key and
 * the one private key, decrypted with the password from another key when it is encrypted.
 * Every failure is a {@link TlsMaterialException} naming the key and its role, never its bytes.
 * The arrays this class holds key material in (the file's bytes, the decoded key blocks, the
 * password) are zeroed once parsed, on every path; copies the PEM decoder, the key parser and
 * the JDK make are not, nor can the snapshot's text be.
 */
final class MaterialReader {
  private MaterialReader() {
  }


  private static byte[] content(SecretsSnapshot snapshot, String key, String role) {
    if (!snapshot.contains(key)) {
      throw new TlsMaterialException("key '" + key + "' (" + role + ") is not in the mount "
          + snapshot.directory());
    }
    return snapshot.bytes(key);
  }

  private static List<PemBlock> blocks(byte[] content, String key, String role) {
    try {
      return PemBlock.parse(content);
    } catch (IllegalArgumentException e) {
      throw new TlsMaterialException("key '" + key + "' (" + role + ") is not valid PEM: "
          + e.getMessage());
    } finally {
      Arrays.fill(content, (byte) 0);
    }
  }

  static List<X509Certificate> certificates(SecretsSnapshot snapshot, String key,
      String role) {
    List<X509Certificate> certificates = new ArrayList<>();
    int index = 0;
    List<PemBlock> blocks = blocks(content(snapshot, key, role), key, role);
    try {
      for (PemBlock block : blocks) {
        if (!isCertificate(block)) {
          continue;
        }
        index++;
        byte[] der = certificateDer(block);
        if (der == null) {
          // The JDK reads an indefinite (BER) length by recursion, a stack frame a level, so a
          // block nested a hundred thousand deep would overflow the stack. A PEM certificate
          // is one DER element (RFC 7468) and is checked to be one before the JDK sees it.
          throw new TlsMaterialException("key '" + key + "' (" + role + "): certificate "
              + index + " is not one DER element (indefinite or inconsistent length)");
        }
        try {
          certificates.add((X509Certificate) CertificateFactory.getInstance("X.509")
              .generateCertificate(new ByteArrayInputStream(der)));
        } catch (GeneralSecurityException | RuntimeException e) {
          throw new TlsMaterialException("key '" + key + "' (" + role + "): certificate "
              + index + " is not a valid X.509 certificate (" + e.getClass().getSimpleName()
              + ")");
        }
      }
    } finally {
      for (PemBlock block : blocks) {
        if (!isCertificate(block)) {
          Arrays.fill(block.der, (byte) 0); // a private key of a combined file, say
        }
      }
    }
    if (certificates.isEmpty()) {
      throw new TlsMaterialException("key '" + key + "' (" + role + ") holds no PEM "
          + "CERTIFICATE block");
    }
    return certificates;
  }

  private static boolean isCertificate(PemBlock block) {
    return block.label.equals("CERTIFICATE") || block.label.equals("TRUSTED CERTIFICATE");
  }

  /**
   * Returns the certificate's DER for the JDK to parse, or null when it is not one DER element
   * with definite lengths. OpenSSL's TRUSTED CERTIFICATE is the certificate followed by its
   * trust settings, which the JDK ignores: only the certificate is checked and parsed.
   */
  private static byte[] certificateDer(PemBlock block) {
    try {
      byte[] der = block.label.equals("TRUSTED CERTIFICATE") ? Der.firstElement(block.der)
          : block.der;
      Der.requireDefinite(der);
      return der;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  static PrivateKey privateKey(SecretsSnapshot snapshot, TlsKeys keys) {
    String key = keys.privateKey();
    List<PemBlock> found = new ArrayList<>();
    for (PemBlock block : blocks(content(snapshot, key, "private key"), key, "private key")) {
      if (PrivateKeyReader.isKey(block)) {
        found.add(block);
      }
    }
    if (found.isEmpty()) {
      throw new TlsMaterialException("key '" + key + "' (private key) holds no PEM private "
          + "key (PRIVATE KEY, ENCRYPTED PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)");
    }
    if (found.size() > 1) {
      for (PemBlock block : found) {
        Arrays.fill(block.der, (byte) 0);
      }
      throw new TlsMaterialException("key '" + key + "' (private key) holds " + found.size()
          + " private keys; expected one");
    }
    PemBlock block = found.get(0);
    char[] password = null;
    try {
      if (PrivateKeyReader.isEncrypted(block) && keys.privateKeyPassword().isPresent()) {
        password = password(snapshot, keys.privateKeyPassword().get());
      }
      try {
        return PrivateKeyReader.read(block, password);
      } catch (IllegalArgumentException e) {
        throw new TlsMaterialException("key '" + key + "' (private key) cannot be read: "
            + e.getMessage() + keys.privateKeyPassword().map(p -> " (password key '" + p + "')")
                .orElse(""));
      }
    } finally {
      Arrays.fill(block.der, (byte) 0);
      if (password != null) {
        Arrays.fill(password, '\0');
      }
    }
  }

  private static char[] password(SecretsSnapshot snapshot, String passwordKey) {
    if (!snapshot.contains(passwordKey)) {
      throw new TlsMaterialException("key '" + passwordKey + "' (private key password) is "
          + "not in the mount " + snapshot.directory());
    }
    try {
      return snapshot.get(passwordKey).toCharArray();
    } catch (SecretFormatException e) {
      // The snapshot's own exception is not the documented one, and a rotation would not
      // count it as a refused generation.
      throw new TlsMaterialException("key '" + passwordKey + "' (private key password) is "
          + "not valid UTF-8 text");
    }
  }
}
