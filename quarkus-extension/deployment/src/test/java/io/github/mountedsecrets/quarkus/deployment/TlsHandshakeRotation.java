package io.github.mountedsecrets.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mountedsecrets.quarkus.MountedTlsConfigurations;
import io.github.mountedsecrets.test.Await;
import io.github.mountedsecrets.test.CertificateAuthority;
import io.github.mountedsecrets.test.HandshakeLoad;
import io.github.mountedsecrets.test.IssuedCertificate;
import io.github.mountedsecrets.test.SecretsMount;
import io.github.mountedsecrets.test.SecretsMount.Layout;
import io.github.mountedsecrets.test.TlsMountWriter;
import io.quarkus.tls.CertificateUpdatedEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * The rotation that {@link TlsHandshakeRotationAtomicWriterTest} and
 * {@link TlsHandshakeRotationFileByFileTest} run, one application per layout: the Quarkus HTTP
 * server serves HTTPS from the mount TLS configuration {@code web}
 * ({@code quarkus.http.tls-configuration-name=web}) while the mount rotates ten times (after
 * three unmeasured warm-up rotations), each good generation preceded by a mismatched one (the
 * new certificate with the old key, or the old certificate with a new key) and, file by file,
 * written key first with the certificate 300 ms (three quiet periods) later. Two clients
 * connect in a loop, each connection a full handshake and a request: none may fail, every new
 * certificate must be presented, in the atomic-writer layout with a median under 1 s after the
 * write.
 */
public final class TlsHandshakeRotation {
  static final String NAME = "web";
  private static final int ROTATIONS = 10;
  private static final int WARM_UP = 3;
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration KEY_FIRST_GAP = Duration.ofMillis(300);

  private TlsHandshakeRotation() {}

  /**
   * The startup material, issued by a CA of its own: the test class is initialized twice (by
   * JUnit, then by Quarkus) and a CA cannot be handed from one class loader to the other, so the
   * test switches to a CA made where it runs before its clients start.
   */
  static Map<String, String> startupMaterial(String scenario) {
    if (System.getProperty(TestMounts.property(scenario)) != null) {
      return Map.of();
    }
    IssuedCertificate startup = CertificateAuthority.create("startup CA")
        .server("startup", "localhost");
    return Map.of("tls.crt", startup.chainPem(), "tls.key", startup.privateKeyPem());
  }

  /** Runs the rotations and checks the clients' view of them. */
  static void run(SecretsMount mount, int port, MountedTlsConfigurations configurations,
      UpdateTimes updates) {
    Layout layout = mount.layout();
    CertificateAuthority ca = CertificateAuthority.create("Quarkus HTTP Root");
    TlsMountWriter writer = TlsMountWriter.separateFiles(mount, "tls.crt", "tls.key");
    IssuedCertificate current = ca.server("initial", "localhost");
    writer.publish(current);
    IssuedCertificate initial = current;
    Await.until(WAIT, () -> presents(port, ca, initial), () -> "the server presents " + initial);
    int before = updates.count();
    long updatesBefore = configurations.statuses().get(NAME).updates();
    List<Long> latencies = new ArrayList<>();
    List<Long> switches = new ArrayList<>();
    try (HandshakeLoad load = HandshakeLoad.start("localhost", port, ca, 2, true)) {
      Await.until(WAIT, () -> load.firstSeen(initial.certificate()).isPresent(),
          () -> "first " + load);
      // The first rotations warm up the JIT (TLS material checks, the server's reload) and are
      // not measured.
      for (int i = 1 - WARM_UP; i <= ROTATIONS; i++) {
        IssuedCertificate next = ca.server("gen" + i, "localhost");
        long rejected = configurations.statuses().get(NAME).rejections();
        // A broken generation first; file by file, the next key then lands before the next
        // certificate: a second broken state.
        if (i % 2 == 0) {
          writer.publishMismatched(ca.server("broken" + i, "localhost"), current);
        } else {
          writer.publishMismatched(current, ca.server("broken" + i, "localhost"));
        }
        Await.until(WAIT, () -> configurations.statuses().get(NAME).rejections() > rejected,
            () -> "rejection of the mismatched generation: " + configurations.statuses());
        if (layout == Layout.FILE_BY_FILE) {
          writer.publishKeyFirst(next, KEY_FIRST_GAP);
        } else {
          writer.publish(next);
        }
        long written = System.nanoTime();
        Await.until(WAIT, () -> load.firstSeen(next.certificate()).isPresent(),
            () -> "a handshake presenting " + next + "; " + load);
        int update = before + i - 1 + WARM_UP;
        Await.until(WAIT, () -> updates.count() > update, () -> "update event " + update);
        if (i > 0) {
          latencies.add(load.firstSeen(next.certificate()).get() - written);
          switches.add(updates.at(update) - written);
        }
        current = next;
      }
      System.out.printf(Locale.ROOT, "TLS rotation with the Quarkus HTTP server, %s: %d "
          + "rotations, %d connections ok, %d failed; configuration updated after the write: "
          + "median %.0f ms, max %.0f ms; first handshake with the new certificate after the "
          + "write: median %.0f ms, max %.0f ms%n", layout, ROTATIONS, load.successes(),
          load.failures(), median(switches) / 1e6, max(switches) / 1e6,
          median(latencies) / 1e6, max(latencies) / 1e6);
      assertThat(load.failures()).as("failed connections: %s", load.failureMessages()).isZero();
      assertThat(load.successes()).isGreaterThan(ROTATIONS * 2L);
      if (layout == Layout.ATOMIC_WRITER) {
        // The median, not the maximum: on a loaded machine one handshake can take seconds.
        assertThat(Duration.ofNanos(median(latencies))).isLessThan(Duration.ofSeconds(1));
      }
      assertThat(configurations.statuses().get(NAME).updates() - updatesBefore)
          .isEqualTo(ROTATIONS + WARM_UP);
      assertThat(updates.count() - before).isEqualTo(ROTATIONS + WARM_UP);
      assertThat(configurations.statuses().get(NAME).rejections())
          .isGreaterThanOrEqualTo(ROTATIONS + WARM_UP);
    }
  }

  /** Whether one fresh handshake, trusting only {@code ca}, presents {@code expected}. */
  private static boolean presents(int port, CertificateAuthority ca, IssuedCertificate expected) {
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("ca", ca.certificate().certificate());
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, factory.getTrustManagers(), null);
      try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket()) {
        socket.connect(new InetSocketAddress("localhost", port), 5_000);
        socket.setSoTimeout(5_000);
        socket.startHandshake();
        X509Certificate served = (X509Certificate) socket.getSession().getPeerCertificates()[0];
        return served.equals(expected.certificate());
      }
    } catch (IOException e) {
      return false; // still the startup CA's certificate, which this client does not trust
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static long median(List<Long> values) {
    return values.stream().sorted().skip(values.size() / 2).findFirst().orElseThrow();
  }

  static long max(List<Long> values) {
    return values.stream().mapToLong(Long::longValue).max().orElseThrow();
  }

  /** When the extension announced each update of {@code web}, on the nano-time scale. */
  @Singleton
  public static class UpdateTimes {
    private final List<Long> times = new CopyOnWriteArrayList<>();

    void updated(@Observes CertificateUpdatedEvent event) {
      if (NAME.equals(event.name())) {
        times.add(System.nanoTime());
      }
    }

    int count() {
      return times.size();
    }

    long at(int index) {
      return times.get(index);
    }
  }
}
