package io.github.mountedsecrets.test;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import javax.security.auth.x500.X500Principal;

/**
 * An in-memory certificate authority for TLS tests: it makes key pairs and X.509 v3
 * certificates with the JDK alone, for servers, clients and intermediate authorities.
 *
 * <pre>{@code
 * CertificateAuthority ca = CertificateAuthority.create("Test Root");
 * IssuedCertificate server = ca.server("localhost");
 * mount.publish(Map.of("tls.crt", server.chainPem(), "tls.key", server.privateKeyPem()));
 * }</pre>
 *
 * <p>The JDK has no public API that creates certificates, so this class encodes the
 * TBSCertificate itself (DER, RFC 5280) and signs it with {@link Signature}. Certificates are
 * valid from one hour ago for 90 days unless a {@link #validity(Instant, Instant) validity} is
 * given; server certificates name {@code localhost} and {@code 127.0.0.1}.
 *
 * <p>Instances are immutable and thread-safe. Test code only: the keys are made with a
 * non-hardware random source and are meant to be thrown away.
 */
public final class CertificateAuthority {
  /** The key algorithm of a new key pair. */
  public enum KeyType {
    /** EC on curve P-256, signed with SHA256withECDSA (fast to generate). */
    EC,
    /** RSA 2048, signed with SHA256withRSA. */
    RSA
  }

  private static final AtomicLong SERIALS = new AtomicLong(System.currentTimeMillis());
  private static final Duration DEFAULT_VALIDITY = Duration.ofDays(90);
  private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

  private final IssuedCertificate self;
  private final KeyType keyType;
  private final Instant notBefore;
  private final Instant notAfter;

  private CertificateAuthority(IssuedCertificate self, KeyType keyType, Instant notBefore,
      Instant notAfter) {
    this.self = self;
    this.keyType = keyType;
    this.notBefore = notBefore;
    this.notAfter = notAfter;
  }

  /**
   * Creates a self-signed root authority with an EC key that issues EC keys.
   *
   * @param commonName the CN of its subject
   * @return the authority
   */
  public static CertificateAuthority create(String commonName) {
    return create(commonName, KeyType.EC);
  }

  /**
   * Creates a self-signed root authority whose own key and whose issued keys are of one type.
   *
   * @param commonName the CN of its subject
   * @param keyType the key type of the authority and of what it issues
   * @return the authority
   */
  public static CertificateAuthority create(String commonName, KeyType keyType) {
    Objects.requireNonNull(commonName, "commonName");
    Objects.requireNonNull(keyType, "keyType");
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Instant from = now.minus(Duration.ofHours(1));
    Instant until = now.plus(Duration.ofDays(3650));
    KeyPair pair = generate(keyType);
    X500Principal subject = new X500Principal("CN=" + commonName);
    X509Certificate certificate = sign(subject, pair, subject, pair.getPrivate(), keyType, from,
        until, caExtensions());
    IssuedCertificate self = new IssuedCertificate(List.of(certificate), pair.getPrivate(), keyType);
    return new CertificateAuthority(self, keyType, from, now.plus(DEFAULT_VALIDITY));
  }

  /**
   * Returns an authority that issues certificates with the given validity instead of the
   * default (one hour ago until 90 days from now). Use a past {@code notAfter} for an expired
   * certificate.
   *
   * @param notBefore start of validity
   * @param notAfter end of validity
   * @return a copy with that validity for the certificates it issues
   */
  public CertificateAuthority validity(Instant notBefore, Instant notAfter) {
    return new CertificateAuthority(self, keyType, notBefore.truncatedTo(ChronoUnit.SECONDS),
        notAfter.truncatedTo(ChronoUnit.SECONDS));
  }

  /**
   * Returns an authority that issues keys of another type (its own key stays).
   *
   * @param type the key type of issued certificates
   * @return a copy issuing that key type
   */
  public CertificateAuthority issuing(KeyType type) {
    return new CertificateAuthority(self, Objects.requireNonNull(type, "type"), notBefore, notAfter);
  }

  /**
   * Returns this authority's own certificate and key; its chain is the path to the root.
   *
   * @return the authority's certificate
   */
  public IssuedCertificate certificate() {
    return self;
  }

  /**
   * Returns this authority's certificate as PEM, for a trust file.
   *
   * @return the PEM text
   */
  public String certificatePem() {
    return Pem.encode("CERTIFICATE", encoded(self.certificate()));
  }

  /**
   * Issues an intermediate authority signed by this one.
   *
   * @param commonName the CN of the intermediate
   * @return the intermediate, whose issued chains include it
   */
  public CertificateAuthority intermediate(String commonName) {
    KeyPair pair = generate(keyType);
    X509Certificate certificate = sign(new X500Principal("CN=" + commonName), pair,
        self.certificate().getSubjectX500Principal(), self.privateKey(), self.keyType(),
        notBefore, notAfter, caExtensions());
    List<X509Certificate> chain = new ArrayList<>();
    chain.add(certificate);
    chain.addAll(self.chain());
    return new CertificateAuthority(new IssuedCertificate(chain, pair.getPrivate(), keyType),
        keyType, notBefore, notAfter);
  }

  /**
   * Issues a server certificate for {@code localhost} and {@code 127.0.0.1} plus the given
   * DNS names, with the serverAuth extended key usage.
   *
   * @param commonName the CN of the subject
   * @param dnsNames further DNS names for the subject alternative names
   * @return the certificate, its chain to (excluding) the root, and its key
   */
  public IssuedCertificate server(String commonName, String... dnsNames) {
    List<String> names = new ArrayList<>(List.of("localhost"));
    names.addAll(List.of(dnsNames));
    return issue(commonName, names, List.of("127.0.0.1"), SERVER_AUTH);
  }

  /**
   * Issues a client certificate with the clientAuth extended key usage.
   *
   * @param commonName the CN of the subject
   * @return the certificate, its chain and its key
   */
  public IssuedCertificate client(String commonName) {
    return issue(commonName, List.of(), List.of(), CLIENT_AUTH);
  }

  private IssuedCertificate issue(String commonName, List<String> dnsNames, List<String> ips,
      String extendedKeyUsage) {
    KeyPair pair = generate(keyType);
    X509Certificate certificate = sign(new X500Principal("CN=" + commonName), pair,
        self.certificate().getSubjectX500Principal(), self.privateKey(), self.keyType(),
        notBefore, notAfter, leafExtensions(dnsNames, ips, extendedKeyUsage));
    List<X509Certificate> chain = new ArrayList<>();
    chain.add(certificate);
    // Up to, not including, the self-signed root: what a server sends.
    List<X509Certificate> issuers = self.chain();
    for (X509Certificate issuer : issuers) {
      if (!issuer.getSubjectX500Principal().equals(issuer.getIssuerX500Principal())) {
        chain.add(issuer);
      }
    }
    return new IssuedCertificate(chain, pair.getPrivate(), keyType);
  }

  // ---------------------------------------------------------------------------------------

  static KeyPair generate(KeyType type) {
    try {
      if (type == KeyType.EC) {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
      }
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate a " + type + " key pair", e);
    }
  }

  private static byte[] caExtensions() {
    return DerWriter.sequence(
        extension("2.5.29.19", true, DerWriter.sequence(DerWriter.bool(true))),
        // keyCertSign (bit 5) and cRLSign (bit 6): 0b0000011 with one unused bit.
        extension("2.5.29.15", true, DerWriter.bitString(new byte[] {0x06}, 1)));
  }

  private static byte[] leafExtensions(List<String> dnsNames, List<String> ips, String usage) {
    List<byte[]> extensions = new ArrayList<>();
    extensions.add(extension("2.5.29.19", true, DerWriter.sequence()));
    // digitalSignature (bit 0) and keyEncipherment (bit 2): 0b101 with five unused bits.
    extensions.add(extension("2.5.29.15", true, DerWriter.bitString(new byte[] {(byte) 0xA0}, 5)));
    extensions.add(extension("2.5.29.37", false, DerWriter.sequence(DerWriter.oid(usage))));
    if (!dnsNames.isEmpty() || !ips.isEmpty()) {
      List<byte[]> names = new ArrayList<>();
      for (String dns : dnsNames) {
        names.add(DerWriter.tlv(0x82, dns.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
      }
      for (String ip : ips) {
        try {
          names.add(DerWriter.tlv(0x87, InetAddress.getByName(ip).getAddress()));
        } catch (UnknownHostException e) {
          throw new IllegalArgumentException("not an IP address: " + ip, e);
        }
      }
      extensions.add(extension("2.5.29.17", false,
          DerWriter.sequence(names.toArray(new byte[0][]))));
    }
    return DerWriter.sequence(extensions.toArray(new byte[0][]));
  }

  private static byte[] extension(String oid, boolean critical, byte[] value) {
    return critical
        ? DerWriter.sequence(DerWriter.oid(oid), DerWriter.bool(true), DerWriter.octetString(value))
        : DerWriter.sequence(DerWriter.oid(oid), DerWriter.octetString(value));
  }

  private static X509Certificate sign(X500Principal subject, KeyPair subjectKeys,
      X500Principal issuer, PrivateKey issuerKey, KeyType issuerType, Instant notBefore,
      Instant notAfter, byte[] extensions) {
    String algorithm = issuerType == KeyType.EC ? "SHA256withECDSA" : "SHA256withRSA";
    byte[] algorithmId = issuerType == KeyType.EC
        ? DerWriter.sequence(DerWriter.oid("1.2.840.10045.4.3.2"))
        : DerWriter.sequence(DerWriter.oid("1.2.840.113549.1.1.11"), DerWriter.nul());
    byte[] tbs = DerWriter.sequence(
        DerWriter.explicit(0, DerWriter.integer(BigInteger.valueOf(2))),
        DerWriter.integer(BigInteger.valueOf(SERIALS.incrementAndGet())),
        algorithmId,
        issuer.getEncoded(),
        DerWriter.sequence(DerWriter.time(notBefore), DerWriter.time(notAfter)),
        subject.getEncoded(),
        subjectKeys.getPublic().getEncoded(),
        DerWriter.explicit(3, extensions));
    try {
      Signature signature = Signature.getInstance(algorithm);
      signature.initSign(issuerKey, new SecureRandom());
      signature.update(tbs);
      byte[] certificate = DerWriter.sequence(tbs, algorithmId,
          DerWriter.bitString(signature.sign(), 0));
      return (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(certificate));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign a certificate for " + subject, e);
    }
  }

  static byte[] encoded(X509Certificate certificate) {
    try {
      return certificate.getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot encode " + certificate.getSubjectX500Principal(), e);
    }
  }

  @Override
  public String toString() {
    return "CertificateAuthority[" + self.certificate().getSubjectX500Principal() + "]";
  }
}
