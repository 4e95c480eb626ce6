package io.github.mountedsecrets.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.mountedsecrets.quarkus.MountedTlsConfigurations;
import io.github.mountedsecrets.test.Await;
import io.github.mountedsecrets.test.CertificateAuthority;
import io.github.mountedsecrets.test.IssuedCertificate;
import io.github.mountedsecrets.test.SecretsMount;
import io.quarkus.builder.Version;
import io.quarkus.maven.dependency.Dependency;
import io.quarkus.test.QuarkusExtensionTest;
import io.quarkus.test.common.http.TestHTTPResource;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * With {@code quarkus-micrometer} (and its Prometheus registry, a real one), each mount TLS
 * configuration has the days-left and {@code notAfter} gauges and the rejections counter,
 * tagged with the mount and the configuration's name; a refused generation counts.
 */
class TlsMetricsTest {
  static final String SCENARIO = "tls-metrics";
  static final SecretsMount MOUNT = TestMounts.open(SCENARIO, SecretsMount.Layout.ATOMIC_WRITER,
      material());

  @RegisterExtension
  static final QuarkusExtensionTest APP = new QuarkusExtensionTest()
      .withApplicationRoot(jar -> jar.addClasses(TestMounts.class, HttpGet.class))
      .withConfigurationResource(SCENARIO + ".properties")
      .setForcedDependencies(List.of(
          Dependency.of("io.quarkus", "quarkus-vertx-http-deployment", Version.getVersion()),
          Dependency.of("io.quarkus", "quarkus-micrometer-registry-prometheus-deployment",
              Version.getVersion())));

  @TestHTTPResource("/q/metrics")
  URI metrics;

  @Inject
  MountedTlsConfigurations configurations;

  private static Map<String, String> material() {
    if (System.getProperty(TestMounts.property(SCENARIO)) != null) {
      return Map.of();
    }
    IssuedCertificate web = CertificateAuthority.create("metrics test CA").server("metrics web");
    return Map.of("tls.crt", web.chainPem(), "tls.key", web.privateKeyPem());
  }

  @Test
  void gaugesShowTheServedCertificateAndRejectionsCount() throws Exception {
    Instant notAfter;
    try (InputStream in = Files.newInputStream(MOUNT.directory().resolve("tls.crt"))) {
      notAfter = ((X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(in)).getNotAfter().toInstant();
    }
    String labels = "{bundle=\"web\",mount=\"" + MOUNT.directory() + "\"}";

    String scrape = scrape();
    double daysLeft = Duration.between(Instant.now(), notAfter).getSeconds() / 86_400.0;
    assertThat(value(scrape, "mounted_secrets_tls_days_left_days" + labels))
        .isCloseTo(daysLeft, within(0.01));
    assertThat(value(scrape, "mounted_secrets_tls_not_after_seconds" + labels))
        .isEqualTo(notAfter.getEpochSecond());
    assertThat(value(scrape, "mounted_secrets_tls_rejections_total" + labels)).isZero();

    // Another certificate with the served key: refused and counted, the gauges stay.
    IssuedCertificate other = CertificateAuthority.create("other CA").server("other");
    MOUNT.publish(Map.of("tls.crt", other.chainPem(),
        "tls.key", Files.readString(MOUNT.directory().resolve("tls.key"))));
    Await.until(Duration.ofSeconds(10),
        () -> configurations.statuses().get("web").rejections() == 1,
        () -> "the mismatched generation refused: " + configurations.statuses());
    scrape = scrape();
    assertThat(value(scrape, "mounted_secrets_tls_rejections_total" + labels)).isEqualTo(1);
    assertThat(value(scrape, "mounted_secrets_tls_not_after_seconds" + labels))
        .isEqualTo(notAfter.getEpochSecond());
  }

  private String scrape() {
    return HttpGet.ok(metrics);
  }


  /** The value of the sample named with its labels, from the Prometheus text format. */
  private static double value(String scrape, String sample) {
    return scrape.lines()
        .filter(line -> line.startsWith(sample + " "))
        .map(line -> Double.parseDouble(line.substring(sample.length() + 1).trim()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no sample " + sample + " in\n"
            + scrape.lines().filter(line -> line.startsWith("mounted_secrets_tls"))
                .reduce("", (a, b) -> a + b + "\n")));
  }
}
