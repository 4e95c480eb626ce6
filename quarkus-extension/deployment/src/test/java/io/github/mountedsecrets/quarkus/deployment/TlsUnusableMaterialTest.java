package io.github.mountedsecrets.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.mountedsecrets.test.CertificateAuthority;
import io.github.mountedsecrets.test.IssuedCertificate;
import io.github.mountedsecrets.test.SecretsMount;
import io.quarkus.builder.Version;
import io.quarkus.maven.dependency.Dependency;
import io.quarkus.test.QuarkusExtensionTest;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A mount TLS configuration whose private key does not match its certificate stops startup
 * with a message naming the configuration and the keys, never the key itself.
 */
class TlsUnusableMaterialTest {
  static final String SCENARIO = "tls-unusable-material";
  static final SecretsMount MOUNT = TestMounts.open(SCENARIO, SecretsMount.Layout.ATOMIC_WRITER,
      mismatched());

  @RegisterExtension
  static final QuarkusExtensionTest APP = new QuarkusExtensionTest()
      .withApplicationRoot(jar -> jar.addClasses(TestMounts.class))
      .withConfigurationResource(SCENARIO + ".properties")
      .setForcedDependencies(List.of(
          Dependency.of("io.quarkus", "quarkus-vertx-http-deployment", Version.getVersion())))
      .assertException(TlsUnusableMaterialTest::namesTheConfigurationAndTheKeys);

  private static Map<String, String> mismatched() {
    if (System.getProperty(TestMounts.property(SCENARIO)) != null) {
      return Map.of();
    }
    CertificateAuthority ca = CertificateAuthority.create("unusable material test CA");
    IssuedCertificate one = ca.server("mount-web one", "localhost");
    IssuedCertificate two = ca.server("mount-web two", "localhost");
    return Map.of("tls.crt", one.chainPem(), "tls.key", two.privateKeyPem());
  }

  static void namesTheConfigurationAndTheKeys(Throwable thrown) {
    StringWriter trace = new StringWriter();
    thrown.printStackTrace(new PrintWriter(trace));
    String key;
    try {
      key = Files.readString(MOUNT.directory().resolve("tls.key"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    assertThat(trace.toString())
        .contains("TLS 'mount-web'")
        .contains("the private key in 'tls.key' does not match the certificate in 'tls.crt'")
        .doesNotContain(key.split("\n")[1].trim())
        .doesNotContain("PRIVATE KEY-----");
  }

  @Test
  void startupFails() {
    fail("the application must not start");
  }
}
