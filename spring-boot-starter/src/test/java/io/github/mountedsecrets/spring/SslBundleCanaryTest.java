package io.github.mountedsecrets.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.mountedsecrets.spring.ssl.MountedSslBundles;
import io.github.mountedsecrets.test.Await;
import io.github.mountedsecrets.test.CertificateAuthority;
import io.github.mountedsecrets.test.IssuedCertificate;
import io.github.mountedsecrets.test.SecretsMount;
import io.github.mountedsecrets.test.TlsMountWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * No private key and no key password of an SSL bundle from the mount shows in logs (every
 * logger at DEBUG, the library's at TRACE), health, bundle statuses or a failed start: every
 * 16-character piece of the keys' base64 and the password are looked for.
 */
@ExtendWith(OutputCaptureExtension.class)
class SslBundleCanaryTest {
  private static final String PASSWORD = "canary-tls-password-3e9b";

  @TempDir Path temp;

  @Test
  void noKeyOrPasswordIsShown(CapturedOutput output) {
    CertificateAuthority ca = CertificateAuthority.create("Canary Root");
    IssuedCertificate first = ca.server("first");
    IssuedCertificate second = ca.server("second");
    SecretsMount mount = SecretsMount.fileByFile(temp.resolve("secrets"));
    String encrypted = first.encryptedPrivateKeyPem(PASSWORD.toCharArray());
    mount.publish(Map.of("tls.crt", first.chainPem(), "tls.key", encrypted, "tls.pass", PASSWORD));
    StringBuilder shown = new StringBuilder();
    String[] properties = {"mounted-secrets.directory=" + mount.directory(),
        "mounted-secrets.ssl.bundle.web.certificate=tls.crt",
        "mounted-secrets.ssl.bundle.web.private-key=tls.key",
        "mounted-secrets.ssl.bundle.web.private-key-password=tls.pass",
        "logging.level.root=DEBUG", "logging.level.io.github.mountedsecrets=TRACE"};
    try (ConfigurableApplicationContext context = Apps.run(Apps.WithoutDataSource.class, properties)) {
      MountedSslBundles bundles = context.getBean(MountedSslBundles.class);
      mount.put("tls.pass", PASSWORD + "-wrong");
      Await.until(Duration.ofSeconds(10), () -> bundles.statuses().get("web").rejections() == 1,
          () -> "the refused password");
      TlsMountWriter.separateFiles(mount, "tls.crt", "tls.key").publishMismatched(first, second);
      Await.until(Duration.ofSeconds(10), () -> bundles.statuses().get("web").rejections() == 2,
          () -> "the refused key");
      shown.append(bundles).append(bundles.statuses());
      shown.append(SslBundleAutoConfigurationTest.health(
          context.getBean("mountedSecretsTlsHealthIndicator"))[1]);
    }
    // A wrong password at startup fails the start.
    assertThatThrownBy(() -> Apps.run(Apps.WithoutDataSource.class, properties))
        .satisfies(e -> {
          for (Throwable t = e; t != null; t = t.getCause()) {
            shown.append(t);
          }
        });
    shown.append(output);

    assertThat(shown.toString())
        .contains("could not be decrypted with the configured password")
        .contains("does not match the certificate in 'tls.crt' (CN=first")
        .contains("APPLICATION FAILED TO START")
        .contains("Put a usable certificate and key in the mount");
    for (String canary : canaries(encrypted, first.privateKeyPem(), second.privateKeyPem())) {
      assertThat(shown.toString()).doesNotContain(canary);
    }
  }

  private static List<String> canaries(String... pems) {
    List<String> canaries = new ArrayList<>(List.of(PASSWORD, "canary-tls"));
    for (String pem : pems) {
      String body = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
      for (int i = 0; i + 16 <= body.length(); i += 8) {
        canaries.add(body.substring(i, i + 16));
      }
    }
    return canaries;
  }
}
