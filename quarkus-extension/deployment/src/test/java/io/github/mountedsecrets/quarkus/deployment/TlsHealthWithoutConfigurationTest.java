package io.github.mountedsecrets.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mountedsecrets.quarkus.MountedTlsConfigurations;
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
 * SmallRye Health and the TLS registry present, no TLS configuration from the mount: the
 * readiness report has the mount's check and no empty {@code mounted-secrets-tls} check (the
 * Spring Boot starter's SSL bundles indicator backs off the same way).
 */
class TlsHealthWithoutConfigurationTest {
  static final String SCENARIO = "tls-health-without-configuration";
  static final SecretsMount MOUNT = TestMounts.open(SCENARIO, SecretsMount.Layout.ATOMIC_WRITER,
      Map.of("API_KEY", "k-1"));

  @RegisterExtension
  static final QuarkusExtensionTest APP = new QuarkusExtensionTest()
      .withApplicationRoot(jar -> jar.addClasses(TestMounts.class, HttpGet.class))
      .withConfigurationResource(SCENARIO + ".properties")
      .setForcedDependencies(List.of(
          Dependency.of("io.quarkus", "quarkus-smallrye-health-deployment", Version.getVersion())));

  @TestHTTPResource("/q/health/ready")
  URI readiness;

  @Inject
  MountedTlsConfigurations configurations;

  @Test
  void theMountsCheckAndNoEmptyTlsCheck() {
    assertThat(configurations.rotations()).isEmpty();
    String health = HttpGet.ok(readiness);
    assertThat(health).contains("\"mounted-secrets\"").doesNotContain("mounted-secrets-tls");
  }
}
