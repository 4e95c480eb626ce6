package io.github.mountedsecrets.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateAuthorityTest {
  @Test
  void aServerChainThroughAnIntermediateValidatesWithPkix() throws Exception {
    CertificateAuthority root = CertificateAuthority.create("Test Root");
    CertificateAuthority intermediate = root.intermediate("Test Intermediate");
    IssuedCertificate server = intermediate.server("server", "example.test");

    assertThat(server.chain()).hasSize(2);
    X509Certificate leaf = server.certificate();
    assertThat(leaf.getSubjectAlternativeNames().stream().map(n -> (Object) n.get(1)).toList())
        .containsExactly("localhost", "example.test", "127.0.0.1");
    assertThat(leaf.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
    assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
    assertThat(intermediate.certificate().certificate().getBasicConstraints())
        .isEqualTo(Integer.MAX_VALUE);

    List<X509Certificate> parsed = parse(server.chainPem());
    assertThat(parsed).isEqualTo(server.chain());
    PKIXParameters parameters = new PKIXParameters(
        Set.of(new TrustAnchor(parse(root.certificatePem()).get(0), null)));
    parameters.setRevocationEnabled(false);
    CertPathValidator.getInstance("PKIX").validate(
        CertificateFactory.getInstance("X.509").generateCertPath(parsed), parameters);
  }

  @Test
  void keysComeOutInEveryPemFormatAndSignWhatTheCertificateVerifies() throws Exception {
    CertificateAuthority root = CertificateAuthority.create("Test Root");
    IssuedCertificate ec = root.server("ec");
    IssuedCertificate rsa = root.issuing(CertificateAuthority.KeyType.RSA).client("rsa");

    assertThat(ec.privateKeyPem(IssuedCertificate.KeyFormat.SEC1)).startsWith("-----BEGIN EC PRIVATE KEY-----\n");
    assertThat(rsa.privateKeyPem(IssuedCertificate.KeyFormat.PKCS1)).startsWith("-----BEGIN RSA PRIVATE KEY-----\n");
    assertThatThrownBy(() -> ec.privateKeyPem(IssuedCertificate.KeyFormat.PKCS1))
        .isInstanceOf(IllegalArgumentException.class);

    PrivateKey decoded = KeyFactory.getInstance("EC")
        .generatePrivate(new PKCS8EncodedKeySpec(der(ec.privateKeyPem())));
    assertMatches(decoded, ec.certificate(), "SHA256withECDSA");

    char[] password = "pass-phrase".toCharArray();
    EncryptedPrivateKeyInfo info = new EncryptedPrivateKeyInfo(der(rsa.encryptedPrivateKeyPem(password)));
    String algorithm = info.getAlgParameters().toString();
    Cipher cipher = Cipher.getInstance(algorithm);
    cipher.init(Cipher.DECRYPT_MODE, SecretKeyFactory.getInstance(algorithm)
        .generateSecret(new PBEKeySpec(password)), info.getAlgParameters());
    PrivateKey decrypted = KeyFactory.getInstance("RSA").generatePrivate(info.getKeySpec(cipher));
    assertMatches(decrypted, rsa.certificate(), "SHA256withRSA");
    assertThat(rsa.toString()).contains("CN=rsa").doesNotContain("PRIVATE");
  }

  @Test
  void anExpiredAuthorityIssuesExpiredCertificates() {
    Instant past = Instant.now().minus(Duration.ofDays(10));
    IssuedCertificate expired = CertificateAuthority.create("Root")
        .validity(past.minus(Duration.ofDays(30)), past).server("old");
    assertThat(expired.certificate().getNotAfter().toInstant()).isBefore(Instant.now());
  }

  @Test
  void theWriterPutsTheKeyDownBeforeTheCertificate(@TempDir Path dir) throws Exception {
    SecretsMount mount = SecretsMount.fileByFile(dir);
    mount.publish(Map.of("other", "x"));
    IssuedCertificate first = CertificateAuthority.create("Root").server("one");
    TlsMountWriter writer = TlsMountWriter.separateFiles(mount, "tls.crt", "tls.key");
    writer.publishKeyFirst(first, Duration.ofMillis(50));
    assertThat(Files.readString(dir.resolve("tls.key"))).isEqualTo(first.privateKeyPem());
    assertThat(Files.readString(dir.resolve("tls.crt"))).isEqualTo(first.chainPem());

    SecretsMount atomic = SecretsMount.atomicWriter(dir.resolve("a"));
    atomic.publish(Map.of("other", "x"));
    TlsMountWriter.combinedFile(atomic, "tls.pem").publish(first);
    assertThat(Files.readString(dir.resolve("a/tls.pem"))).isEqualTo(first.combinedPem());
    assertThat(Files.readString(dir.resolve("a/other"))).isEqualTo("x");
    assertThat(atomic.rotations()).isEqualTo(2);
  }

  private static void assertMatches(PrivateKey key, X509Certificate certificate, String algorithm)
      throws Exception {
    Signature signer = Signature.getInstance(algorithm);
    signer.initSign(key);
    signer.update(new byte[] {1, 2, 3});
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance(algorithm);
    verifier.initVerify(certificate.getPublicKey());
    verifier.update(new byte[] {1, 2, 3});
    assertThat(verifier.verify(signature)).isTrue();
  }

  @SuppressWarnings("unchecked")
  private static List<X509Certificate> parse(String pem) throws Exception {
    return (List<X509Certificate>) CertificateFactory.getInstance("X.509")
        .generateCertificates(new java.io.ByteArrayInputStream(pem.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
  }

  private static byte[] der(String pem) {
    String body = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    return Base64.getDecoder().decode(body);
  }

}
