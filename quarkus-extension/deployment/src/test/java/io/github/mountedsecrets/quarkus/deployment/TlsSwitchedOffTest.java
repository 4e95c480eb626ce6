package io.github.mountedsecrets.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mountedsecrets.quarkus.MountedTlsConfigurations;
import io.github.mountedsecrets.test.CertificateAuthority;
import io.github.mountedsecrets.test.IssuedCertificate;
import io.github.mountedsecrets.test.SecretsMount;
import io.quarkus.builder.Version;
import io.quarkus.maven.dependency.Dependency;
import io.quarkus.test.QuarkusExtensionTest;
import io.quarkus.test.common.http.TestHTTPResource;
import jakarta.inject.Inject;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * With {@code quarkus.mounted-secrets.health.enabled=false} and
 * {@code quarkus.mounted-secrets.metrics.enabled=false}, SmallRye Health and Micrometer present,
 * the TLS configuration is still served but has no readiness check and no meters, like the
 * mount.
 */
class TlsSwitchedOffTest {
  static final String SCENARIO = "tls-switched-off";
  static final SecretsMount MOUNT = TestMounts.open(SCENARIO, SecretsMount.Layout.ATOMIC_WRITER,
      material());

  @RegisterExtension
  static final QuarkusExtensionTest APP = new QuarkusExtensionTest()
      .withApplicationRoot(jar -> jar.addClasses(TestMounts.class, HttpGet.class))
      .withConfigurationResource(SCENARIO + ".properties")
      .setForcedDependencies(List.of(
          Dependency.of("io.quarkus", "quarkus-smallrye-health-deployment", Version.getVersion()),
          Dependency.of("io.quarkus", "quarkus-micrometer-registry-prometheus-deployment",
              Version.getVersion())));

  @TestHTTPResource("/q/health/ready")
  URI readiness;

  @TestHTTPResource("/q/metrics")
  URI metrics;

  @Inject
  MountedTlsConfigurations configurations;

  private static Map<String, String> material() {
    if (System.getProperty(TestMounts.property(SCENARIO)) != null) {
      return Map.of();
    }
    IssuedCertificate web = CertificateAuthority.create("switched off CA").server("switched off");
    return Map.of("tls.crt", web.chainPem(), "tls.key", web.privateKeyPem());
  }

  @Test
  void noCheckAndNoMeters() {
    assertThat(configurations.statuses().get("web").subject()).isEqualTo("CN=switched off");
    String health = HttpGet.ok(readiness);
    assertThat(health).contains("\"status\"").doesNotContain("mounted-secrets");
    String scrape = HttpGet.ok(metrics);
    assertThat(scrape).contains("jvm_").doesNotContain("mounted_secrets");
  }
}
