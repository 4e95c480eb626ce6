package io.github.mountedsecrets.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mountedsecrets.spring.ssl.MountedSecretsSslAutoConfiguration;
import io.github.mountedsecrets.spring.ssl.MountedSslBundles;
import io.github.mountedsecrets.test.Await;
import io.github.mountedsecrets.test.CertificateAuthority;
import io.github.mountedsecrets.test.IssuedCertificate;
import io.github.mountedsecrets.test.SecretsMount;
import io.github.mountedsecrets.test.TlsMountWriter;
import io.github.mountedsecrets.tls.TlsStatus;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.util.ClassUtils;

/**
 * {@code mounted-secrets.ssl.bundle.<name>.*} registers a bundle in Spring Boot's registry and
 * updates it on verified rotations only; unusable material fails the start with a message that
 * names the bundle, the key and the reason.
 */
class SslBundleAutoConfigurationTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static CertificateAuthority ca;

  @TempDir Path temp;

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(MountedSecretsAutoConfiguration.class,
          MountedSecretsSslAutoConfiguration.class))
      .withConfiguration(BootLine.autoConfigurations(
          "org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration"));

  @BeforeAll
  static void authority() {
    ca = CertificateAuthority.create("Spring Root");
  }

  private static Certificate served(SslBundle bundle) throws Exception {
    KeyStore store = bundle.getStores().getKeyStore();
    return store.getCertificate(bundle.getKey().getAlias());
  }

  @Test
  void registersTheBundleAndFollowsVerifiedRotationsOnly() {
    SecretsMount mount = SecretsMount.atomicWriter(temp.resolve("m"));
    TlsMountWriter writer = TlsMountWriter.separateFiles(mount, "tls.crt", "tls.key");
    IssuedCertificate first = ca.server("first");
    IssuedCertificate second = ca.server("second");
    writer.publish(first);
    mount.put("ca.crt", ca.certificatePem());
    runner.withPropertyValues("mounted-secrets.directory=" + mount.directory(),
        "mounted-secrets.quiet-period=50ms",
        "mounted-secrets.ssl.bundle.web.certificate=tls.crt",
        "mounted-secrets.ssl.bundle.web.private-key=tls.key",
        "mounted-secrets.ssl.bundle.web.trust=ca.crt",
        "mounted-secrets.ssl.bundle.web.expiry-warning=100d").run(context -> {
          assertThat(context).hasNotFailed();
          SslBundles bundles = context.getBean(SslBundles.class);
          SslBundle bundle = bundles.getBundle("web");
          assertThat(served(bundle)).isEqualTo(first.certificate());
          assertThat(bundle.getStores().getTrustStore().size()).isEqualTo(1);
          assertThat(bundle.createSslContext()).isNotNull();
          List<SslBundle> updates = new CopyOnWriteArrayList<>();
          bundles.addBundleUpdateHandler("web", updates::add);

          writer.publishMismatched(second, first);
          MountedSslBundles mounted = context.getBean(MountedSslBundles.class);
          Await.until(TIMEOUT, () -> mounted.statuses().get("web").rejections() == 1,
              () -> "rejection, " + mounted.statuses());
          assertThat(updates).isEmpty();
          assertThat(served(bundles.getBundle("web"))).isEqualTo(first.certificate());

          writer.publish(second);
          Await.until(TIMEOUT, () -> updates.size() == 1, () -> "one update, got " + updates);
          assertThat(served(updates.get(0))).isEqualTo(second.certificate());
          assertThat(served(bundles.getBundle("web"))).isEqualTo(second.certificate());
          TlsStatus status = mounted.statuses().get("web");
          assertThat(status.state()).isEqualTo(TlsStatus.State.IN_SYNC);
          assertThat(status.expiringSoon()).isTrue();
          assertThat(status.updates()).isEqualTo(1);
        });
  }

  @Test
  void anExpiredCertificateFailsTheStartNamingTheKeyAndTheDate() {
    Instant past = Instant.now().minus(Duration.ofDays(1));
    IssuedCertificate expired = ca.validity(past.minus(Duration.ofDays(30)), past).server("old");
    SecretsMount mount = SecretsMount.atomicWriter(temp.resolve("m"));
    TlsMountWriter.combinedFile(mount, "tls.pem").publish(expired);
    runner.withPropertyValues("mounted-secrets.directory=" + mount.directory(),
        "mounted-secrets.ssl.bundle.web.certificate=tls.pem").run(context -> {
          assertThat(context).hasFailed();
          Throwable cause = context.getStartupFailure();
          while (cause.getCause() != null) {
            cause = cause.getCause();
          }
          assertThat(cause).hasMessage("TLS 'web' in " + mount.directory() + ": the certificate "
              + "in 'tls.pem' (CN=old) expired on " + expired.certificate().getNotAfter().toInstant());
        });
  }

  @Test
  void aBundleNamingAnAbsentKeyFailsTheStart() {
    SecretsMount mount = SecretsMount.atomicWriter(temp.resolve("m"));
    mount.publish(Map.of("other", "x"));
    runner.withPropertyValues("mounted-secrets.directory=" + mount.directory(),
        "mounted-secrets.ssl.bundle.web.certificate=tls.crt",
        "mounted-secrets.ssl.bundle.web.private-key=tls.key").run(context -> {
          assertThat(context).hasFailed();
          Throwable cause = context.getStartupFailure();
          while (cause.getCause() != null) {
            cause = cause.getCause();
          }
          assertThat(cause).hasMessage("mounted-secrets.ssl.bundle.web.certificate names key "
              + "'tls.crt', which no secrets mount holds (mounts: " + mount.directory() + ")");
        });
  }

  @Test
  void withoutBundlesTheAutoConfigurationBacksOff() {
    SecretsMount mount = SecretsMount.atomicWriter(temp.resolve("m"));
    mount.publish(Map.of("other", "x"));
    runner.withPropertyValues("mounted-secrets.directory=" + mount.directory()).run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context).doesNotHaveBean(MountedSslBundles.class);
      assertThat(context).doesNotHaveBean("mountedSecretsTlsHealthIndicator");
      assertThat(context.getBean(SslBundles.class).getBundleNames()).isEmpty();
    });
  }

  @Test
  void healthShowsTheServedCertificateAndGoesDownOnceItExpired() {
    Instant now = Instant.now();
    IssuedCertificate shortLived = ca.validity(now.minus(Duration.ofDays(1)),
        now.plus(Duration.ofSeconds(15))).server("short");
    SecretsMount mount = SecretsMount.atomicWriter(temp.resolve("m"));
    TlsMountWriter.separateFiles(mount, "tls.crt", "tls.key").publish(shortLived);
    runner.withPropertyValues("mounted-secrets.directory=" + mount.directory(),
        "mounted-secrets.ssl.bundle.web.certificate=tls.crt",
        "mounted-secrets.ssl.bundle.web.private-key=tls.key").run(context -> {
          assertThat(context).hasNotFailed();
          Object[] health = health(context.getBean("mountedSecretsTlsHealthIndicator"));
          assertThat(health[0]).isEqualTo("UP");
          @SuppressWarnings("unchecked")
          Map<String, Object> web = (Map<String, Object>) ((Map<String, Object>)
              ((Map<String, Object>) health[1]).get("bundles")).get("web");
          assertThat(web).containsEntry("subject", "CN=short")
              .containsEntry("notAfter", shortLived.certificate().getNotAfter().toInstant().toString())
              .containsEntry("expiringSoon", true)
              .containsEntry("state", "IN_SYNC")
              .containsEntry("mount", mount.directory().toString());
          assertThat((Double) web.get("daysLeft")).isLessThan(0.1);
          Await.until(Duration.ofSeconds(30), () -> "DOWN".equals(health(
              context.getBean("mountedSecretsTlsHealthIndicator"))[0]), () -> "DOWN once expired");
        });
    SecretsMount valid = SecretsMount.atomicWriter(temp.resolve("valid"));
    TlsMountWriter.combinedFile(valid, "tls.pem").publish(ca.server("valid"));
    runner.withPropertyValues("mounted-secrets.directory=" + valid.directory(),
        "mounted-secrets.ssl.bundle.web.certificate=tls.pem",
        "management.health.mountedsecretstls.enabled=false").run(context ->
            assertThat(context).doesNotHaveBean("mountedSecretsTlsHealthIndicator"));
  }

  /** Calls {@code health()} through whichever health API this line has: {status, details}. */
  @SuppressWarnings("unchecked")
  static Object[] health(Object indicator) {
    try {
      Method health = null;
      for (Class<?> type : ClassUtils.getAllInterfacesForClassAsSet(indicator.getClass())) {
        try {
          health = type.getMethod("health");
          break;
        } catch (NoSuchMethodException e) {
          // try the next interface
        }
      }
      Object result = health.invoke(indicator);
      Object status = result.getClass().getMethod("getStatus").invoke(result);
      return new Object[] {status.getClass().getMethod("getCode").invoke(status),
          (Map<String, Object>) result.getClass().getMethod("getDetails").invoke(result)};
    } catch (ReflectiveOperationException e) {
      throw new AssertionError("cannot call the health indicator", e);
    }
  }
}
