package io.github.mountedsecrets.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.test.Await;
import io.github.mountedsecrets.test.CertificateAuthority;
import io.github.mountedsecrets.test.IssuedCertificate;
import io.github.mountedsecrets.test.SecretsMount;
import io.github.mountedsecrets.test.TlsMountWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Private keys and the key password never show in logs, exceptions, {@code toString()} or
 * status: every 16-character piece of the keys' base64 and the password are looked for.
 */
@Timeout(60)
class TlsCanaryTest {
  private static final String PASSWORD = "CANARY-tls-5d1e";

  @TempDir Path temp;

  @Test
  void noKeyMaterialOrPasswordIsPrintedAnywhere() throws Exception {
    CertificateAuthority ca = CertificateAuthority.create("Canary Root");
    IssuedCertificate first = ca.server("first");
    IssuedCertificate second = ca.server("second");
    SecretsMount mount = SecretsMount.fileByFile(temp.resolve("m"));
    mount.publish(java.util.Map.of("tls.crt", first.chainPem(),
        "tls.key", first.encryptedPrivateKeyPem(PASSWORD.toCharArray()), "tls.pass", PASSWORD,
        "plain.key", second.privateKeyPem()));
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    Logger root = (Logger) LoggerFactory.getLogger("io.github.mountedsecrets");
    root.addAppender(logs);
    List<String> printed = new ArrayList<>();
    try (MountedSecrets secrets = MountedSecrets.builder().directory(mount.directory())
        .pollInterval(Duration.ofHours(1)).quietPeriod(Duration.ofMillis(50)).build();
        TlsRotation rotation = TlsRotation.builder(secrets).name("web")
            .keys(TlsKeys.of("tls.crt", "tls.key").withPrivateKeyPassword("tls.pass")).build()) {
      // Refused generations of every kind: wrong password, mismatched key, truncated key.
      mount.put("tls.pass", PASSWORD + "-wrong");
      awaitRejections(rotation, 1);
      TlsMountWriter.separateFiles(mount, "tls.crt", "tls.key").publishMismatched(first, second);
      awaitRejections(rotation, 2);
      String key = second.privateKeyPem();
      mount.put("tls.key", key.substring(0, key.length() - 40));
      awaitRejections(rotation, 3);
      printed.add(rotation.toString());
      printed.add(rotation.current().toString());
      printed.add(rotation.status().toString());
      printed.add(rotation.status().details().toString());
      printed.add(rotation.keys().toString());
      printed.add(secrets.toString());
      for (TlsKeys keys : List.of(TlsKeys.of("tls.crt", "plain.key"), TlsKeys.of("tls.crt", "tls.key"),
          TlsKeys.of("tls.crt", "tls.key").withPrivateKeyPassword("tls.crt"))) {
        Throwable thrown = catchThrowable(() -> TlsMaterial.read(secrets.snapshot(), keys));
        printed.add(stackTrace(thrown));
      }
    } finally {
      root.detachAppender(logs);
    }
    for (ILoggingEvent event : logs.list) {
      printed.add(event.getFormattedMessage());
      if (event.getThrowableProxy() != null) {
        printed.add(ThrowableProxyUtil.asString(event.getThrowableProxy()));
      }
    }
    assertThat(printed).anyMatch(p -> p.contains("could not be decrypted"));
    assertThat(printed).anyMatch(p -> p.contains("does not match"));
    List<String> canaries = new ArrayList<>(List.of(PASSWORD));
    for (IssuedCertificate issued : List.of(first, second)) {
      for (String pem : List.of(issued.privateKeyPem(),
          issued.encryptedPrivateKeyPem(PASSWORD.toCharArray()))) {
        canaries.addAll(pieces(pem));
      }
    }
    canaries.addAll(pieces(mountedKey(mount)));
    for (String text : printed) {
      for (String canary : canaries) {
        assertThat(text).as("printed text").doesNotContain(canary);
      }
    }
  }

  private static void awaitRejections(TlsRotation rotation, long count) {
    Await.until(Duration.ofSeconds(10), () -> rotation.status().rejections() >= count,
        () -> count + " rejections, got " + rotation.status());
  }

  private static String mountedKey(SecretsMount mount) throws Exception {
    return java.nio.file.Files.readString(mount.directory().resolve("tls.key"));
  }

  private static List<String> pieces(String pem) {
    String body = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    List<String> pieces = new ArrayList<>();
    for (int i = 0; i + 16 <= body.length(); i += 8) {
      pieces.add(body.substring(i, i + 16));
    }
    return pieces;
  }

  private static String stackTrace(Throwable thrown) {
    StringWriter out = new StringWriter();
    thrown.printStackTrace(new PrintWriter(out));
    return out.toString();
  }
}
