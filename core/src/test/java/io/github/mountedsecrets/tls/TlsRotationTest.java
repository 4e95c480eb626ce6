package io.github.mountedsecrets.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.micrometer.MetricNames;
import io.github.mountedsecrets.micrometer.TlsMetrics;
import io.github.mountedsecrets.test.Await;
import io.github.mountedsecrets.test.CertificateAuthority;
import io.github.mountedsecrets.test.IssuedCertificate;
import io.github.mountedsecrets.test.SecretsMount;
import io.github.mountedsecrets.test.SecretsMount.Layout;
import io.github.mountedsecrets.test.TlsMountWriter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

/** TLS rotation through a real watched mount, in both layouts. */
@Timeout(60)
class TlsRotationTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static CertificateAuthority ca;

  @TempDir Path temp;
  private ListAppender<ILoggingEvent> logs;

  @BeforeAll
  static void authority() {
    ca = CertificateAuthority.create("Rotation Root");
  }

  @BeforeEach
  void captureLogs() {
    logs = new ListAppender<>();
    logs.start();
    ((Logger) LoggerFactory.getLogger("io.github.mountedsecrets")).addAppender(logs);
  }

  @AfterEach
  void stopCapture() {
    ((Logger) LoggerFactory.getLogger("io.github.mountedsecrets")).detachAppender(logs);
  }

  private static MountedSecrets watching(SecretsMount mount) {
    return MountedSecrets.builder().directory(mount.directory()).pollInterval(Duration.ofHours(1))
        .quietPeriod(Duration.ofMillis(50)).build();
  }

  private List<String> warnings() {
    synchronized (logs.list) {
      return logs.list.stream().filter(e -> e.getLevel() == Level.WARN)
          .map(ILoggingEvent::getFormattedMessage).collect(Collectors.toList());
    }
  }

  @ParameterizedTest
  @EnumSource(Layout.class)
  void verifiedChangesAreServedAndMismatchesKeepThePrevious(Layout layout) throws Exception {
    SecretsMount mount = SecretsMount.create(layout, temp.resolve("m"));
    TlsMountWriter writer = TlsMountWriter.separateFiles(mount, "tls.crt", "tls.key");
    IssuedCertificate first = ca.server("first");
    IssuedCertificate second = ca.server("second");
    IssuedCertificate third = ca.server("third");
    writer.publish(first);
    List<TlsMaterial> updates = Collections.synchronizedList(new ArrayList<>());
    try (MountedSecrets secrets = watching(mount);
        TlsRotation rotation = TlsRotation.builder(secrets).name("web")
            .keys(TlsKeys.of("tls.crt", "tls.key")).build()) {
      rotation.onUpdate(updates::add);
      assertThat(rotation.current().certificate()).isEqualTo(first.certificate());
      assertThat(rotation.status().state()).isEqualTo(TlsStatus.State.IN_SYNC);

      writer.publish(second);
      Await.until(WAIT, () -> updates.size() == 1, () -> "update to second, got " + updates);
      assertThat(rotation.current().certificate()).isEqualTo(second.certificate());
      assertThat(updates.get(0).privateKey()).isEqualTo(second.privateKey());

      // Third's certificate with first's key: refused, second stays in service. File by file,
      // the mount may also have been read between the two files of a write (here or above),
      // refused naming another certificate: wait for the refusal of third's.
      long before = rotation.status().rejections();
      writer.publishMismatched(third, first);
      Await.until(WAIT, () -> rotation.status().rejections() > before && rotation.status()
          .lastRejection().orElse("").contains("(CN=third"), () -> "rejection of third");
      TlsStatus status = rotation.status();
      assertThat(status.state()).isEqualTo(TlsStatus.State.REJECTED);
      assertThat(status.lastRejection()).get().asString()
          .startsWith("the private key in 'tls.key' does not match the certificate in 'tls.crt' (CN=third");
      assertThat(rotation.current().certificate()).isEqualTo(second.certificate());
      assertThat(status.details()).containsEntry("state", "REJECTED")
          .containsEntry("subject", "CN=second")
          .containsEntry("lastRejection", status.lastRejection().get())
          .containsEntry("lastRejectedAt", status.lastRejectedAt().get().toString());
      // A second mismatched write with the same reason is not reported again.
      long reported = warnings().stream().filter(w -> w.contains("is not used")).count();
      long rejections = rotation.status().rejections();
      writer.publishMismatched(third, second);
      Await.until(WAIT, () -> rotation.status().rejections() > rejections, () -> "second rejection");
      assertThat(warnings().stream().filter(w -> w.contains("is not used")).count())
          .isEqualTo(reported);

      writer.publish(third);
      Await.until(WAIT, () -> updates.size() == 2, () -> "update to third, got " + updates);
      assertThat(updates.get(1).certificate()).isEqualTo(third.certificate());
      assertThat(rotation.status().state()).isEqualTo(TlsStatus.State.IN_SYNC);
      assertThat(rotation.status().updates()).isEqualTo(2);
      assertThat(updates).allSatisfy(m -> assertThat(m.certificate().getPublicKey())
          .isIn(second.certificate().getPublicKey(), third.certificate().getPublicKey()));
    }
  }

  @Test
  void aKeyWrittenLongBeforeItsCertificateIsNeverServedWithTheOldCertificate() throws Exception {
    SecretsMount mount = SecretsMount.fileByFile(temp.resolve("m"));
    TlsMountWriter writer = TlsMountWriter.separateFiles(mount, "tls.crt", "tls.key");
    IssuedCertificate first = ca.server("first");
    writer.publish(first);
    List<TlsMaterial> updates = Collections.synchronizedList(new ArrayList<>());
    try (MountedSecrets secrets = watching(mount);
        TlsRotation rotation = TlsRotation.builder(secrets).name("web")
            .keys(TlsKeys.of("tls.crt", "tls.key")).build()) {
      rotation.onUpdate(updates::add);
      for (int i = 0; i < 3; i++) {
        IssuedCertificate next = ca.server("gen" + i);
        // The key alone, read and refused, then its certificate (as a provider that writes
        // the key well before the certificate: longer than the mount's quiet period).
        int refused = i + 1;
        mount.put("tls.key", next.privateKeyPem());
        Await.until(WAIT, () -> rotation.status().rejections() == refused,
            () -> "the key alone refused: " + rotation.status());
        mount.put("tls.crt", next.chainPem());
        Await.until(WAIT, () -> rotation.current().certificate().equals(next.certificate()),
            () -> "serving " + next);
      }
      // Subscribers hear of material after it is current, on the rotation's thread.
      Await.until(WAIT, () -> updates.size() == 3, () -> "three updates, got " + updates);
      assertThat(updates).hasSize(3);
      assertThat(rotation.status().rejections()).isEqualTo(3);
      for (TlsMaterial update : updates) {
        assertThat(TlsMaterialTest.handshake(update.sslContext(),
            TlsMaterialTest.clientTrusting(ca))).isEqualTo(update.certificate());
      }
    }
  }

  /**
   * The checks of a new generation can take seconds (the key derivation of an encrypted key):
   * health checks call status() meanwhile and must not wait for them. Here the check is held
   * at its clock reading, on the mount's event thread, until the test lets it go.
   */
  @Test
  void statusDoesNotWaitForAGenerationBeingChecked() throws Exception {
    SecretsMount mount = SecretsMount.atomicWriter(temp.resolve("m"));
    TlsMountWriter writer = TlsMountWriter.separateFiles(mount, "tls.crt", "tls.key");
    IssuedCertificate first = ca.server("first");
    IssuedCertificate second = ca.server("second");
    writer.publish(first);
    CountDownLatch checking = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Clock held = new Clock() {
      @Override
      public Instant instant() {
        if (Thread.currentThread().getName().startsWith("mounted-secrets-events")) {
          checking.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        return Instant.now();
      }

      @Override
      public ZoneOffset getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(java.time.ZoneId zone) {
        throw new UnsupportedOperationException();
      }
    };
    try (MountedSecrets secrets = watching(mount);
        TlsRotation rotation = TlsRotation.builder(secrets).name("web")
            .keys(TlsKeys.of("tls.crt", "tls.key")).clock(held).build()) {
      writer.publish(second);
      assertThat(checking.await(10, TimeUnit.SECONDS)).as("the check to begin").isTrue();
      try {
        CompletableFuture<TlsStatus> status = CompletableFuture.supplyAsync(rotation::status);
        assertThat(status.get(10, TimeUnit.SECONDS).subject()).isEqualTo("CN=first");
      } finally {
        release.countDown();
      }
      Await.until(WAIT, () -> rotation.current().certificate().equals(second.certificate()),
          () -> "the switch to second once its check was let go: " + rotation.status());
      assertThat(rotation.status().updates()).isEqualTo(1);
    }
  }

  @Test
  void startingWithAnExpiredCertificateNamesTheKeyAndTheDate() {
    Instant past = Instant.now().minus(Duration.ofDays(2));
    IssuedCertificate expired = ca.validity(past.minus(Duration.ofDays(90)), past).server("old");
    SecretsMount mount = SecretsMount.atomicWriter(temp.resolve("m"));
    TlsMountWriter.combinedFile(mount, "tls.pem").publish(expired);
    try (MountedSecrets secrets = watching(mount)) {
      assertThatThrownBy(() -> TlsRotation.builder(secrets).name("web")
          .keys(TlsKeys.combined("tls.pem")).build())
          .isInstanceOf(TlsMaterialException.class)
          .hasMessage("TLS 'web' in " + mount.directory() + ": the certificate in 'tls.pem' "
              + "(CN=old) expired on " + expired.certificate().getNotAfter().toInstant());
    }
  }

  @Test
  void expiryShowsInStatusMetricsAndAWarning() {
    Instant now = Instant.now();
    IssuedCertificate soon = ca.validity(now.minus(Duration.ofDays(80)), now.plus(Duration.ofDays(10)))
        .server("soon");
    SecretsMount mount = SecretsMount.atomicWriter(temp.resolve("m"));
    TlsMountWriter.separateFiles(mount, "tls.crt", "tls.key").publish(soon);
    try (MountedSecrets secrets = watching(mount);
        TlsRotation rotation = TlsRotation.builder(secrets).name("web")
            .keys(TlsKeys.of("tls.crt", "tls.key"))
            .clock(Clock.fixed(now, ZoneOffset.UTC)).build()) {
      TlsStatus status = rotation.status();
      assertThat(status.notAfter()).isEqualTo(soon.certificate().getNotAfter().toInstant());
      assertThat(status.daysLeft()).isBetween(9.9, 10.0);
      assertThat(status.expiringSoon()).isTrue();
      assertThat(status.expired()).isFalse();
      // The keys every framework's health check shows, in this order.
      assertThat(status.details()).containsExactly(
          entry("mount", mount.directory().toString()), entry("state", "IN_SYNC"),
          entry("subject", "CN=soon"), entry("fingerprint", status.fingerprint()),
          entry("notAfter", status.notAfter().toString()),
          entry("daysLeft", Math.floor(status.daysLeft() * 10) / 10),
          entry("expiringSoon", true), entry("expiryWarning", "PT336H"),
          entry("servedSince", status.servedSince().toString()), entry("updates", 0L),
          entry("rejections", 0L));
      assertThat((Double) status.details().get("daysLeft")).isBetween(9.9, 10.0);
      assertThat(warnings()).anyMatch(w -> w.contains("TLS 'web': the certificate in 'tls.crt' "
          + "(CN=soon) expires on " + status.notAfter() + ", in 9 days (warning below 14 days)"));

      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      new TlsMetrics(rotation, secrets.directory()).bindTo(registry);
      assertThat(registry.get(MetricNames.TLS_DAYS_LEFT).tag("bundle", "web")
          .tag("mount", secrets.directory().toString()).gauge().value()).isBetween(9.9, 10.0);
      assertThat(registry.get(MetricNames.TLS_NOT_AFTER).gauge().value())
          .isEqualTo(status.notAfter().getEpochSecond());
      assertThat(registry.get(MetricNames.TLS_REJECTIONS).functionCounter().count()).isZero();
    }
    try (MountedSecrets secrets = watching(mount)) {
      assertThatThrownBy(() -> TlsRotation.builder(secrets).expiryWarning(Duration.ofDays(-1)))
          .hasMessage("expiryWarning must not be negative, but was PT-24H");
    }
  }
}
