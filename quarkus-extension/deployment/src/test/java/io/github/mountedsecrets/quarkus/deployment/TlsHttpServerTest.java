package io.github.mountedsecrets.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mountedsecrets.quarkus.MountedTlsConfigurations;
import io.github.mountedsecrets.test.Await;
import io.github.mountedsecrets.test.CertificateAuthority;
import io.github.mountedsecrets.test.IssuedCertificate;
import io.github.mountedsecrets.test.SecretsMount;
import io.quarkus.builder.Version;
import io.quarkus.maven.dependency.Dependency;
import io.quarkus.test.QuarkusExtensionTest;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.tls.CertificateUpdatedEvent;
import io.quarkus.tls.TlsConfigurationRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Quarkus HTTP server serves HTTPS from a mount TLS configuration
 * ({@code quarkus.http.tls-configuration-name=mount-web}) and presents a rotated certificate
 * without a restart; a mismatched generation keeps the old certificate in service. Clients
 * are fresh {@code SSLSocket}s that trust only the test CA and check the host name.
 */
class TlsHttpServerTest {
  static final String SCENARIO = "tls-http-server";
  static final Material MATERIAL = Material.obtain();
  static final SecretsMount MOUNT = TestMounts.open(SCENARIO, SecretsMount.Layout.ATOMIC_WRITER,
      Map.of("tls.crt", MATERIAL.firstChain, "tls.key", MATERIAL.firstKey));

  @RegisterExtension
  static final QuarkusExtensionTest APP = new QuarkusExtensionTest()
      .withApplicationRoot(jar -> jar.addClasses(TestMounts.class, LogText.class, Material.class,
          UpdateRecorder.class))
      .withConfigurationResource(SCENARIO + ".properties")
      // The HTTP server (and with it the TLS registry) for this test only.
      .setForcedDependencies(List.of(
          Dependency.of("io.quarkus", "quarkus-vertx-http-deployment", Version.getVersion())))
      .setLogRecordPredicate(record -> true)
      .assertLogRecords(records -> assertThat(records)
          .noneMatch(record -> LogText.of(record).contains("no Quarkus TLS registry"))
          .allSatisfy(record -> assertThat(LogText.of(record))
              .doesNotContain(Material.keyBody(MATERIAL.firstKey))
              .doesNotContain(Material.keyBody(MATERIAL.secondKey))
              .doesNotContain("PRIVATE KEY-----")));

  @TestHTTPResource(value = "/", tls = true)
  URL https;

  @Inject
  MountedTlsConfigurations configurations;

  @Inject
  TlsConfigurationRegistry registry;

  @Inject
  UpdateRecorder updates;

  private final AtomicInteger handshakes = new AtomicInteger();
  private final AtomicInteger failures = new AtomicInteger();

  @Test
  void serverPresentsTheRotatedCertificateAndKeepsItThroughAMismatchedGeneration()
      throws Exception {
    String first = fingerprint(Material.parse(MATERIAL.firstChain).get(0));
    String second = fingerprint(Material.parse(MATERIAL.secondChain).get(0));
    assertThat(first).isNotEqualTo(second);
    assertThat(registry.get("mount-web"))
        .containsSame(configurations.configurations().get("mount-web"));
    assertThat(presented()).isEqualTo(first);

    // Mismatched: the new certificate with the old key. Refused, the old one stays.
    MOUNT.publish(Map.of("tls.crt", MATERIAL.secondChain, "tls.key", MATERIAL.firstKey));
    Await.until(Duration.ofSeconds(10),
        () -> configurations.statuses().get("mount-web").rejections() >= 1,
        () -> "mismatched generation refused: " + configurations.statuses());
    assertThat(presented()).isEqualTo(first);
    assertThat(updates.names()).isEmpty();

    long start = System.nanoTime();
    MOUNT.publish(Map.of("tls.crt", MATERIAL.secondChain, "tls.key", MATERIAL.secondKey));
    Await.until(Duration.ofSeconds(10), () -> second.equals(presented()),
        () -> "server presents the rotated certificate");
    long millis = (System.nanoTime() - start) / 1_000_000;
    System.out.println("TlsHttpServerTest: new certificate presented " + millis + " ms after "
        + "the rotation; handshakes " + handshakes.get() + ", failed " + failures.get());

    assertThat(failures.get()).isZero();
    assertThat(updates.names()).containsExactly("mount-web");
    assertThat(configurations.statuses().get("mount-web").updates()).isEqualTo(1);
    assertThat(configurations.configurations().get("mount-web").material().fingerprint())
        .isEqualTo(second);
    assertThat(configurations.configurations().get("mount-web").getKeyStore()
        .getCertificate("tls")).isEqualTo(Material.parse(MATERIAL.secondChain).get(0));
  }

  /** Handshakes on a fresh socket and returns the fingerprint of the presented certificate. */
  private String presented() {
    handshakes.incrementAndGet();
    try (SSLSocket socket = (SSLSocket) MATERIAL.clientContext().getSocketFactory()
        .createSocket("localhost", https.getPort())) {
      SSLParameters parameters = socket.getSSLParameters();
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      socket.setSSLParameters(parameters);
      socket.setSoTimeout(5_000);
      socket.startHandshake();
      Certificate[] chain = socket.getSession().getPeerCertificates();
      return fingerprint((X509Certificate) chain[0]);
    } catch (IOException | GeneralSecurityException e) {
      failures.incrementAndGet();
      throw new IllegalStateException("handshake failed: " + e, e);
    }
  }

  static String fingerprint(X509Certificate certificate) {
    try {
      return HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Observes the registry's update events the extension fires. */
  @ApplicationScoped
  public static class UpdateRecorder {
    private final List<String> names = new CopyOnWriteArrayList<>();

    List<String> names() {
      return List.copyOf(names);
    }

    void updated(@Observes CertificateUpdatedEvent event) {
      names.add(event.name());
    }
  }

  /**
   * The CA and two server certificates, made once: this class is initialized twice (by JUnit,
   * then by Quarkus), so the PEM texts are kept in system properties for the second time.
   */
  static final class Material {
    final String caPem;
    final String firstChain;
    final String firstKey;
    final String secondChain;
    final String secondKey;

    private Material(String caPem, String firstChain, String firstKey, String secondChain,
        String secondKey) {
      this.caPem = caPem;
      this.firstChain = firstChain;
      this.firstKey = firstKey;
      this.secondChain = secondChain;
      this.secondKey = secondKey;
    }

    static Material obtain() {
      String prefix = TestMounts.property(SCENARIO) + ".material.";
      if (System.getProperty(prefix + "ca") == null) {
        CertificateAuthority ca = CertificateAuthority.create("mount-web test CA");
        IssuedCertificate first = ca.server("mount-web one", "localhost");
        IssuedCertificate second = ca.server("mount-web two", "localhost");
        System.setProperty(prefix + "ca", ca.certificatePem());
        System.setProperty(prefix + "first.chain", first.chainPem());
        System.setProperty(prefix + "first.key", first.privateKeyPem());
        System.setProperty(prefix + "second.chain", second.chainPem());
        System.setProperty(prefix + "second.key", second.privateKeyPem());
      }
      return new Material(System.getProperty(prefix + "ca"),
          System.getProperty(prefix + "first.chain"), System.getProperty(prefix + "first.key"),
          System.getProperty(prefix + "second.chain"), System.getProperty(prefix + "second.key"));
    }

    /** A client context that trusts only the test CA. */
    SSLContext clientContext() throws GeneralSecurityException, IOException {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("ca", parse(caPem).get(0));
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, factory.getTrustManagers(), null);
      return context;
    }

    static List<X509Certificate> parse(String pem) {
      try {
        return CertificateFactory.getInstance("X.509")
            .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))
            .stream().map(X509Certificate.class::cast).toList();
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }

    /** The second line of a PEM key: base64 key bytes, the canary looked for in the log. */
    static String keyBody(String pem) {
      return pem.split("\n")[1].trim();
    }
  }
}
