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
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The {@code mounted-secrets-tls} readiness check, read from the real readiness endpoint: each
 * mount TLS configuration with the keys of the Spring Boot starter's SSL bundles' health
 * indicator, UP through a refused generation and an expiring certificate, DOWN only while the
 * served certificate has expired. The private key (encrypted) and its password, planted as
 * canaries, appear in no response, log record or {@code toString()}.
 */
class TlsHealthTest {
  static final String SCENARIO = "tls-health";
  static final String PASSWORD = "canary-tls-health-key-password-3b9e";
  static final SecretsMount MOUNT = TestMounts.open(SCENARIO, SecretsMount.Layout.ATOMIC_WRITER,
      material());
  static final List<String> KEYS = List.of("mount", "state", "subject", "fingerprint",
      "notAfter", "daysLeft", "expiringSoon", "expiryWarning", "servedSince", "updates",
      "rejections");

  @RegisterExtension
  static final QuarkusExtensionTest APP = new QuarkusExtensionTest()
      .withApplicationRoot(jar -> jar.addClasses(TestMounts.class, LogText.class))
      .withConfigurationResource(SCENARIO + ".properties")
      .setForcedDependencies(List.of(
          Dependency.of("io.quarkus", "quarkus-smallrye-health-deployment", Version.getVersion())))
      .setLogRecordPredicate(record -> true)
      .assertLogRecords(records -> assertThat(records)
          .isNotEmpty()
          .allSatisfy(record -> assertThat(LogText.of(record))
              .doesNotContain(PASSWORD)
              .doesNotContain("PRIVATE KEY-----")));

  @TestHTTPResource("/q/health/ready")
  URI readiness;

  @Inject
  MountedTlsConfigurations configurations;

  private final List<String> printed = new ArrayList<>();

  private static Map<String, String> material() {
    if (System.getProperty(TestMounts.property(SCENARIO)) != null) {
      return Map.of();
    }
    IssuedCertificate web = CertificateAuthority.create("health test CA").server("health one");
    return Map.of("tls.crt", web.chainPem(),
        "tls.key", web.encryptedPrivateKeyPem(PASSWORD.toCharArray()), "tls.pass", PASSWORD);
  }

  @Test
  void reportsEachConfigurationAndIsDownOnlyWhileTheCertificateHasExpired() throws IOException {
    String firstKey = Files.readString(MOUNT.directory().resolve("tls.key"));
    JsonObject check = check(200);
    assertThat(check.getString("status")).isEqualTo("UP");
    JsonObject data = check.getJsonObject("data");
    assertThat(data.keySet()).containsExactlyInAnyOrderElementsOf(
        KEYS.stream().map(key -> "web." + key).collect(Collectors.toList()));
    assertThat(data.getString("web.mount")).isEqualTo(MOUNT.directory().toString());
    assertThat(data.getString("web.state")).isEqualTo("IN_SYNC");
    assertThat(data.getString("web.subject")).isEqualTo("CN=health one");
    Instant notAfter = Instant.parse(data.getString("web.notAfter"));
    assertThat(notAfter).isEqualTo(configurations.statuses().get("web").notAfter());
    assertThat(Double.parseDouble(data.getString("web.daysLeft"))).isCloseTo(
        Duration.between(Instant.now(), notAfter).getSeconds() / 86_400.0, within(0.11));
    assertThat(data.getBoolean("web.expiringSoon")).isFalse();
    assertThat(data.getString("web.expiryWarning")).isEqualTo("PT336H");
    assertThat(data.getJsonNumber("web.updates").longValue()).isZero();
    assertThat(data.getJsonNumber("web.rejections").longValue()).isZero();

    // Another certificate with the served key: refused, the old one stays in service, UP.
    CertificateAuthority ca = CertificateAuthority.create("rotation CA");
    IssuedCertificate other = ca.server("other");
    MOUNT.publish(Map.of("tls.crt", other.chainPem(), "tls.key", firstKey, "tls.pass", PASSWORD));
    Await.until(Duration.ofSeconds(10),
        () -> configurations.statuses().get("web").rejections() == 1,
        () -> "the mismatched generation refused: " + configurations.statuses());
    data = check(200).getJsonObject("data");
    assertThat(data.getString("web.state")).isEqualTo("REJECTED");
    assertThat(data.getString("web.subject")).isEqualTo("CN=health one");
    assertThat(data.getString("web.lastRejection"))
        .startsWith("the private key in 'tls.key' does not match the certificate in 'tls.crt'");
    assertThat(data.containsKey("web.lastRejectedAt")).isTrue();

    // A certificate that expires in a few seconds: served and expiring soon, then DOWN. 15 s,
    // as in the Spring starter's test: with 4 s, a loaded machine could spend the validity on
    // publishing, reading, decrypting the key and the HTTP check, so the certificate expired
    // before the check could see it served and UP.
    Instant now = Instant.now();
    IssuedCertificate shortLived = ca.validity(now.minus(Duration.ofDays(1)),
        now.plus(Duration.ofSeconds(15))).server("short");
    publish(shortLived);
    Await.until(Duration.ofSeconds(10),
        () -> configurations.statuses().get("web").subject().equals("CN=short"),
        () -> "the short-lived certificate served: " + configurations.statuses());
    JsonObject expiring = check(200);
    assertThat(expiring.getString("status")).isEqualTo("UP");
    assertThat(expiring.getJsonObject("data").getBoolean("web.expiringSoon")).isTrue();
    Await.until(Duration.ofSeconds(30),
        () -> "DOWN".equals(check(-1).getString("status")), () -> "DOWN once expired");
    JsonObject down = check(503);
    assertThat(down.getJsonObject("data").getString("web.subject")).isEqualTo("CN=short");
    assertThat(Double.parseDouble(down.getJsonObject("data").getString("web.daysLeft")))
        .isNegative();

    // A valid certificate again: UP.
    publish(ca.server("renewed"));
    Await.until(Duration.ofSeconds(10), () -> "UP".equals(check(-1).getString("status")),
        () -> "UP once renewed: " + configurations.statuses());
    assertThat(check(200).getJsonObject("data").getString("web.subject"))
        .isEqualTo("CN=renewed");

    printed.add(configurations.toString());
    printed.add(configurations.statuses().toString());
    printed.add(configurations.configurations().toString());
    configurations.statuses().values().forEach(status -> printed.add(status.details().toString()));
    String keyBody = firstKey.split("\n")[1].trim();
    assertThat(printed).allSatisfy(text -> assertThat(text)
        .doesNotContain(PASSWORD).doesNotContain(keyBody).doesNotContain("PRIVATE KEY-----"));
  }

  private void publish(IssuedCertificate material) {
    MOUNT.publish(Map.of("tls.crt", material.chainPem(),
        "tls.key", material.encryptedPrivateKeyPem(PASSWORD.toCharArray()), "tls.pass", PASSWORD));
  }

  /** Reads readiness (expecting {@code status}, unless -1) and returns the TLS check. */
  private JsonObject check(int status) {
    HttpResponse<String> response;
    try {
      response = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(readiness).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    printed.add(response.body());
    if (status != -1) {
      assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    }
    try (JsonReader reader = Json.createReader(new StringReader(response.body()))) {
      for (JsonValue check : reader.readObject().getJsonArray("checks")) {
        if (check.asJsonObject().getString("name").equals("mounted-secrets-tls")) {
          return check.asJsonObject();
        }
      }
    }
    throw new AssertionError("no mounted-secrets-tls check in " + response.body());
  }
}
