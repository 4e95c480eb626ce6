package io.github.mountedsecrets.tls;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;

/**
 * The checks {@link TlsMaterial} passes before it is served: the private key belongs to the
 * leaf certificate, each certificate of the chain was issued and signed by the next, and every
 * certificate is valid at the given time. Each throws a {@link TlsMaterialException} naming the
 * keys, the certificate's subject and the reason.
 */
final class MaterialChecks {
  private static final Set<String> EDDSA = Set.of("EdDSA", "Ed25519", "Ed448");
  private static final SecureRandom RANDOM = new SecureRandom();

  private MaterialChecks() {
  }


  static void keyMatches(TlsKeys keys, X509Certificate leaf, PrivateKey key) {
    PublicKey publicKey = leaf.getPublicKey();
    String keyAlgorithm = key.getAlgorithm();
    String certificateAlgorithm = publicKey.getAlgorithm();
    boolean sameFamily = keyAlgorithm.equals(certificateAlgorithm)
        || (key instanceof RSAKey && publicKey instanceof RSAKey)
        || (EDDSA.contains(keyAlgorithm) && EDDSA.contains(certificateAlgorithm));
    if (!sameFamily) {
      throw mismatch(keys, leaf, "the key is " + keyAlgorithm + ", the certificate's public key "
          + certificateAlgorithm);
    }
    boolean matches;
    if (key instanceof RSAKey && publicKey instanceof RSAPublicKey) {
      matches = ((RSAKey) key).getModulus().equals(((RSAPublicKey) publicKey).getModulus())
          && (!(key instanceof RSAPrivateCrtKey) || ((RSAPrivateCrtKey) key).getPublicExponent()
              .equals(((RSAPublicKey) publicKey).getPublicExponent()));
    } else {
      matches = signs(key, publicKey);
    }
    if (!matches) {
      throw mismatch(keys, leaf, "the key's public half differs from the certificate's; "
          + "a rotation may be half-written");
    }
  }

  private static boolean signs(PrivateKey key, PublicKey publicKey) {
    String algorithm;
    switch (key.getAlgorithm()) {
      case "EC":
        algorithm = "SHA256withECDSA";
        break;
      case "DSA":
        algorithm = "SHA256withDSA";
        break;
      default:
        algorithm = EDDSA.contains(key.getAlgorithm()) ? "EdDSA" : key.getAlgorithm();
    }
    byte[] challenge = new byte[32];
    RANDOM.nextBytes(challenge);
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(challenge);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  private static TlsMaterialException mismatch(TlsKeys keys, X509Certificate leaf, String why) {
    return new TlsMaterialException("the private key in '" + keys.privateKey()
        + "' does not match the certificate in '" + keys.certificate() + "' ("
        + leaf.getSubjectX500Principal().getName() + ", serial "
        + leaf.getSerialNumber().toString(16) + "): " + why);
  }

  static void chainInOrder(TlsKeys keys, List<X509Certificate> chain) {
    for (int i = 0; i + 1 < chain.size(); i++) {
      X509Certificate subject = chain.get(i);
      X509Certificate issuer = chain.get(i + 1);
      boolean issued = subject.getIssuerX500Principal().equals(issuer.getSubjectX500Principal());
      if (issued) {
        try {
          subject.verify(issuer.getPublicKey());
        } catch (GeneralSecurityException | RuntimeException e) {
          issued = false;
        }
      }
      if (!issued) {
        throw new TlsMaterialException("the certificate chain in '" + keys.certificate()
            + "' is not in order: certificate " + (i + 2) + " ("
            + issuer.getSubjectX500Principal().getName() + ") did not issue certificate "
            + (i + 1) + " (" + subject.getSubjectX500Principal().getName()
            + "); put the leaf first, then each issuer");
      }
    }
  }

  static void validAt(TlsKeys keys, List<X509Certificate> chain, Instant now) {
    Date date = Date.from(now);
    for (int i = 0; i < chain.size(); i++) {
      X509Certificate certificate = chain.get(i);
      String which = (i == 0 ? "the certificate" : "certificate " + (i + 1)) + " in '"
          + keys.certificate() + "' (" + certificate.getSubjectX500Principal().getName() + ")";
      try {
        certificate.checkValidity(date);
      } catch (CertificateExpiredException e) {
        throw new TlsMaterialException(which + " expired on "
            + certificate.getNotAfter().toInstant());
      } catch (CertificateNotYetValidException e) {
        throw new TlsMaterialException(which + " is not valid before "
            + certificate.getNotBefore().toInstant());
      }
    }
  }
}
