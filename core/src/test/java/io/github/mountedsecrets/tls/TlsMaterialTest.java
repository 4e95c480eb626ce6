package io.github.mountedsecrets.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.SecretsSnapshot;
import io.github.mountedsecrets.test.CertificateAuthority;
import io.github.mountedsecrets.test.CertificateAuthority.KeyType;
import io.github.mountedsecrets.test.IssuedCertificate;
import io.github.mountedsecrets.test.IssuedCertificate.KeyFormat;
import io.github.mountedsecrets.test.SecretsMount;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.interfaces.ECPrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Reading and checking TLS material from real mounts, with certificates made in memory. */
@Timeout(60)
class TlsMaterialTest {
  private static CertificateAuthority root;
  private static CertificateAuthority intermediate;
  private static IssuedCertificate ec;

  @TempDir Path temp;

  @BeforeAll
  static void authorities() {
    root = CertificateAuthority.create("Test Root");
    intermediate = root.intermediate("Test Intermediate");
    ec = intermediate.server("server");
  }

  private SecretsSnapshot mount(Map<String, String> files) {
    SecretsMount mount = SecretsMount.atomicWriter(temp.resolve("m" + System.nanoTime()));
    mount.publish(files);
    try (MountedSecrets secrets = MountedSecrets.builder().directory(mount.directory())
        .watch(false).build()) {
      return secrets.snapshot();
    }
  }

  private static Map<String, String> files(String... pairs) {
    Map<String, String> files = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      files.put(pairs[i], pairs[i + 1]);
    }
    return files;
  }

  @Test
  void aChainThroughAnIntermediateServesARealHandshake() throws Exception {
    SecretsSnapshot snapshot = mount(files("tls.crt", ec.chainPem(), "tls.key", ec.privateKeyPem(),
        "ca.crt", root.certificatePem()));
    TlsMaterial material = TlsMaterial.read(snapshot, TlsKeys.of("tls.crt", "tls.key").withTrust("ca.crt"));

    assertThat(material.certificateChain()).isEqualTo(ec.chain());
    assertThat(material.privateKey()).isEqualTo(ec.privateKey());
    assertThat(material.trustCertificates()).hasSize(1);
    assertThat(material.notAfter()).isEqualTo(ec.certificate().getNotAfter().toInstant());
    KeyStore store = material.keyStore();
    assertThat(store.getCertificateChain(TlsMaterial.KEY_ALIAS)).hasSize(2);

    // A client that trusts the root only, through the material's own trust manager.
    assertThat(handshake(material.sslContext(), material.sslContext())).isEqualTo(ec.certificate());
  }

  static X509Certificate handshake(SSLContext server, SSLContext client) throws Exception {
    try (SSLServerSocket listener = (SSLServerSocket) server.getServerSocketFactory()
        .createServerSocket(0)) {
      CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
        try (SSLSocket socket = (SSLSocket) listener.accept()) {
          InputStream in = socket.getInputStream();
          socket.getOutputStream().write(in.read());
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      try (SSLSocket socket = (SSLSocket) client.getSocketFactory()
          .createSocket("localhost", listener.getLocalPort())) {
        OutputStream out = socket.getOutputStream();
        out.write(7);
        assertThat(socket.getInputStream().read()).isEqualTo(7);
        served.get(10, TimeUnit.SECONDS);
        return (X509Certificate) socket.getSession().getPeerCertificates()[0];
      }
    }
  }

  @Test
  void readsPkcs1Sec1EncryptedCombinedAndJsonFields() throws Exception {
    IssuedCertificate rsa = root.issuing(KeyType.RSA).server("rsa");
    IssuedCertificate direct = root.server("direct");
    String password = "correct horse";
    String json = "{\"certificate\":" + quote(direct.chainPem()) + ",\"key\":"
        + quote(direct.privateKeyPem(KeyFormat.SEC1)) + "}";
    SecretsSnapshot snapshot = mount(files(
        "rsa.crt", rsa.chainPem(), "rsa.key", rsa.privateKeyPem(KeyFormat.PKCS1),
        "ec.crt", ec.chainPem(), "ec.key", ec.privateKeyPem(KeyFormat.SEC1),
        "enc.key", rsa.encryptedPrivateKeyPem(password.toCharArray()), "enc.pass", password,
        "tls.pem", ec.combinedPem(),
        "web-tls", json));

    assertThat(TlsMaterial.read(snapshot, TlsKeys.of("rsa.crt", "rsa.key")).privateKey())
        .isEqualTo(rsa.privateKey());
    // SEC1 carries the curve and public point, so compare the secret scalar, not the encoding.
    assertThat(((ECPrivateKey) TlsMaterial.read(snapshot, TlsKeys.of("ec.crt", "ec.key"))
        .privateKey()).getS()).isEqualTo(((ECPrivateKey) ec.privateKey()).getS());
    assertThat(TlsMaterial.read(snapshot,
        TlsKeys.of("rsa.crt", "enc.key").withPrivateKeyPassword("enc.pass")).privateKey())
        .isEqualTo(rsa.privateKey());
    TlsMaterial combined = TlsMaterial.read(snapshot, TlsKeys.combined("tls.pem"));
    assertThat(combined.certificateChain()).isEqualTo(ec.chain());
    assertThat(combined.privateKey()).isEqualTo(ec.privateKey());
    TlsMaterial fields = TlsMaterial.read(snapshot,
        TlsKeys.of("web-tls.certificate", "web-tls.key"));
    assertThat(fields.certificate()).isEqualTo(direct.certificate());

    // RSA material from PKCS#1 serves a handshake to a client trusting the root.
    TlsMaterial rsaMaterial = TlsMaterial.read(snapshot, TlsKeys.of("rsa.crt", "rsa.key"));
    assertThat(handshake(rsaMaterial.sslContext(), clientTrusting(root))).isEqualTo(rsa.certificate());
  }

  static SSLContext clientTrusting(CertificateAuthority authority) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("root", authority.certificate().certificate());
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, factory.getTrustManagers(), null);
    return context;
  }

  private static String quote(String text) {
    return "\"" + text.replace("\n", "\\n") + "\"";
  }

  @Test
  void aKeyOfAnotherCertificateIsRefusedNamingBothKeys() {
    IssuedCertificate other = intermediate.server("other");
    SecretsSnapshot snapshot = mount(files("tls.crt", ec.chainPem(), "tls.key", other.privateKeyPem()));
    assertThatThrownBy(() -> TlsMaterial.read(snapshot, TlsKeys.of("tls.crt", "tls.key")))
        .isInstanceOf(TlsMaterialException.class)
        .hasMessageStartingWith("the private key in 'tls.key' does not match the certificate in "
            + "'tls.crt' (CN=server, serial ")
        .hasMessageEndingWith("the key's public half differs from the certificate's; a rotation "
            + "may be half-written");

    IssuedCertificate rsa = root.issuing(KeyType.RSA).server("rsa");
    SecretsSnapshot types = mount(files("tls.crt", ec.chainPem(), "tls.key", rsa.privateKeyPem()));
    assertThatThrownBy(() -> TlsMaterial.read(types, TlsKeys.of("tls.crt", "tls.key")))
        .hasMessageEndingWith("the key is RSA, the certificate's public key EC");
    IssuedCertificate rsa2 = root.issuing(KeyType.RSA).server("rsa2");
    SecretsSnapshot rsaMismatch = mount(files("tls.crt", rsa.chainPem(), "tls.key", rsa2.privateKeyPem()));
    assertThatThrownBy(() -> TlsMaterial.read(rsaMismatch, TlsKeys.of("tls.crt", "tls.key")))
        .hasMessageContaining("does not match the certificate in 'tls.crt' (CN=rsa");
  }

  @Test
  void aChainOutOfOrderIsRefused() {
    SecretsSnapshot snapshot = mount(files("tls.crt", ec.chainPemReversed(), "tls.key", ec.privateKeyPem()));
    // Reversed, the leaf is last: the intermediate comes first and the key does not match it.
    assertThatThrownBy(() -> TlsMaterial.read(snapshot, TlsKeys.of("tls.crt", "tls.key")))
        .hasMessageContaining("does not match the certificate in 'tls.crt' (CN=Test Intermediate");
    String swapped = ec.certificatePem() + root.certificatePem() + intermediate.certificatePem();
    SecretsSnapshot wrongIssuer = mount(files("tls.crt", swapped, "tls.key", ec.privateKeyPem()));
    assertThatThrownBy(() -> TlsMaterial.read(wrongIssuer, TlsKeys.of("tls.crt", "tls.key")))
        .hasMessage("the certificate chain in 'tls.crt' is not in order: certificate 2 "
            + "(CN=Test Root) did not issue certificate 1 (CN=server); put the leaf first, then "
            + "each issuer");
  }

  @Test
  void anExpiredOrNotYetValidCertificateIsRefusedWithTheDate() {
    Instant past = Instant.now().minus(Duration.ofDays(3));
    IssuedCertificate expired = root.validity(past.minus(Duration.ofDays(30)), past).server("old");
    SecretsSnapshot snapshot = mount(files("tls.crt", expired.chainPem(), "tls.key", expired.privateKeyPem()));
    assertThatThrownBy(() -> TlsMaterial.read(snapshot, TlsKeys.of("tls.crt", "tls.key")))
        .hasMessage("the certificate in 'tls.crt' (CN=old) expired on "
            + expired.certificate().getNotAfter().toInstant());
    Instant later = Instant.now().plus(Duration.ofDays(3));
    IssuedCertificate future = root.validity(later, later.plus(Duration.ofDays(30))).server("new");
    SecretsSnapshot early = mount(files("tls.crt", future.chainPem(), "tls.key", future.privateKeyPem()));
    assertThatThrownBy(() -> TlsMaterial.read(early, TlsKeys.of("tls.crt", "tls.key")))
        .hasMessage("the certificate in 'tls.crt' (CN=new) is not valid before "
            + future.certificate().getNotBefore().toInstant());
  }

  @Test
  void missingHalfWrittenAndUnparsableKeysAreNamed() {
    String key = ec.privateKeyPem();
    SecretsSnapshot snapshot = mount(files("tls.crt", ec.chainPem(), "tls.key", key,
        "half.key", key.substring(0, key.length() / 2), "text", "hello",
        "enc.key", ec.encryptedPrivateKeyPem("right".toCharArray()), "wrong.pass", "wrong",
        "two.key", key + key));
    assertThatThrownBy(() -> TlsMaterial.read(snapshot, TlsKeys.of("absent.crt", "tls.key")))
        .hasMessageStartingWith("key 'absent.crt' (certificate) is not in the mount ");
    assertThatThrownBy(() -> TlsMaterial.read(snapshot, TlsKeys.of("tls.crt", "half.key")))
        .hasMessage("key 'half.key' (private key) is not valid PEM: a PEM block is not "
            + "terminated (the file may be half-written)");
    assertThatThrownBy(() -> TlsMaterial.read(snapshot, TlsKeys.of("text", "tls.key")))
        .hasMessage("key 'text' (certificate) holds no PEM CERTIFICATE block");
    assertThatThrownBy(() -> TlsMaterial.read(snapshot, TlsKeys.of("tls.crt", "tls.crt")))
        .hasMessageStartingWith("key 'tls.crt' (private key) holds no PEM private key");
    assertThatThrownBy(() -> TlsMaterial.read(snapshot, TlsKeys.of("tls.crt", "two.key")))
        .hasMessage("key 'two.key' (private key) holds 2 private keys; expected one");
    assertThatThrownBy(() -> TlsMaterial.read(snapshot, TlsKeys.of("tls.crt", "enc.key")))
        .hasMessage("key 'enc.key' (private key) cannot be read: it is an encrypted PKCS#8 key "
            + "and no password key is configured");
    assertThatThrownBy(() -> TlsMaterial.read(snapshot,
        TlsKeys.of("tls.crt", "enc.key").withPrivateKeyPassword("wrong.pass")))
        .hasMessage("key 'enc.key' (private key) cannot be read: it could not be decrypted with "
            + "the configured password (wrong password or damaged key) (password key 'wrong.pass')");
    assertThatThrownBy(() -> TlsKeys.of("tls.crt", " "))
        .hasMessage("privateKey key must not be blank, but was ' '");
  }
}
