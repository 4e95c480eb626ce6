package io.github.mountedsecrets.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mountedsecrets.examples.rotation.OrdersDatabase;
import io.github.mountedsecrets.examples.rotation.ServiceProcess;
import io.github.mountedsecrets.test.Await;
import io.github.mountedsecrets.test.CertificateAuthority;
import io.github.mountedsecrets.test.HandshakeLoad;
import io.github.mountedsecrets.test.IssuedCertificate;
import io.github.mountedsecrets.test.SecretsMount;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The packaged service ({@code target/orders-spring.jar}) with its {@code https} profile, as the
 * Deployment runs it with {@code SPRING_PROFILES_ACTIVE=https}: against a real PostgreSQL and a
 * mount in the layout of the {@code orders-spring-https-secrets} SecretProviderClass (the JSON secret
 * {@code orders-tls} and its jmesPath aliases {@code tls.crt} and {@code tls.key} beside the
 * database credentials and the API key), it must answer {@code GET /orders} over HTTPS to a
 * client that trusts only the test authority, present the rotated certificate after the mount
 * changes without a failed handshake, keep Actuator on its plain-HTTP management port, and never
 * show the private key in its output or its endpoints (env and configprops with every value
 * shown, health with details).
 */
class OrdersHttpsIT {
  /** The files the orders-spring-https-secrets SecretProviderClass writes for prod/orders/tls. */
  static final String TLS_JSON = "orders-tls";
  static final String CERTIFICATE_FILE = "tls.crt";
  static final String PRIVATE_KEY_FILE = "tls.key";

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Path JAR =
      Path.of(System.getProperty("orders.service.jar", "target/orders-spring.jar"));
  private static final SecureRandom RANDOM = new SecureRandom();

  @TempDir
  Path dir;

  private final Queue<String> output = new ConcurrentLinkedQueue<>();

  @ParameterizedTest(name = "{0}")
  @EnumSource(SecretsMount.Layout.class)
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void servesHttpsFromTheMountedCertificateAndFollowsItsRotation(SecretsMount.Layout layout)
      throws Exception {
    CertificateAuthority ca = CertificateAuthority.create("Orders Test Root");
    IssuedCertificate first = ca.server("orders-spring first");
    IssuedCertificate second = ca.server("orders-spring second");
    List<String> canaries = new ArrayList<>();
    canaries.addAll(keyLines(first));
    canaries.addAll(keyLines(second));
    String apiKey = "key-" + random();

    try (OrdersDatabase database = OrdersDatabase.start()) {
      String password = random();
      database.setPassword(OrdersDatabase.USER, password);
      canaries.add(password);
      SecretsMount mount = SecretsMount.create(layout, dir.resolve("secrets-store"));
      // In the order of the SecretProviderClass's objects, the AWS provider's order of writing.
      Map<String, Object> files = new LinkedHashMap<>();
      files.put("prod-db", "{\"engine\":\"postgres\",\"host\":\"" + database.host() + "\",\"port\":"
          + database.port() + ",\"dbname\":\"" + database.dbname() + "\",\"username\":\""
          + OrdersDatabase.USER + "\",\"password\":\"" + password + "\"}");
      files.put("DB_USER", OrdersDatabase.USER);
      files.put("DB_PASSWORD", password);
      files.put("API_KEY", apiKey);
      files.putAll(tlsFiles(first));
      mount.publish(files);

      try (ServiceProcess service = ServiceProcess.start(ServiceProcess.Kind.SPRING_HTTPS, JAR,
          mount.directory(), exposeEverythingAndLogAtDebug(), this::print)) {
        URI api = service.baseUri();
        URI management = service.managementUri();
        assertThat(api.getScheme()).isEqualTo("https");

        HttpResponse<String> orders = get(ca, api.resolve("/orders"), apiKey);
        assertThat(orders.statusCode()).isEqualTo(200);
        assertThat(orders.body()).startsWith("[{\"id\":1,\"item\":\"espresso beans 1kg\",\"quantity\":2},");
        assertThat(presented(orders)).isEqualTo(first.certificate());
        assertThat(get(ca, api.resolve("/orders"), null).statusCode()).isEqualTo(401);
        // Only the management port speaks plain HTTP, and it serves no API.
        assertThat(plainHttpFails(api.resolve("/orders"))).as("plain HTTP on the API port").isTrue();
        assertThat(get(ca, management.resolve("/orders"), apiKey).statusCode()).isEqualTo(404);
        assertThat(get(ca, management.resolve("/actuator/health/liveness"), null).statusCode()).isEqualTo(200);

        try (HandshakeLoad load = HandshakeLoad.start("localhost", api.getPort(), ca, 2, true)) {
          Await.until(WAIT, () -> load.firstSeen(first.certificate()).isPresent(),
              () -> "a handshake presenting the first certificate; " + load);
          mount.putAll(tlsFiles(second));
          long written = System.nanoTime();
          Await.until(WAIT, () -> load.firstSeen(second.certificate()).isPresent(),
              () -> "a handshake presenting the rotated certificate; " + load);
          System.out.printf("%s: the rotated certificate was first presented %d ms after the write; "
              + "%d handshakes ok, %d failed%n", layout,
              (load.firstSeen(second.certificate()).get() - written) / 1_000_000, load.successes(),
              load.failures());
          assertThat(load.failures()).as("failed handshakes: %s", load.failureMessages()).isZero();
        }
        HttpResponse<String> after = get(ca, api.resolve("/orders"), apiKey);
        assertThat(after.statusCode()).isEqualTo(200);
        assertThat(presented(after)).isEqualTo(second.certificate());

        checkEndpoints(ca, management, canaries);
      }
    }

    List<String> lines = List.copyOf(output);
    assertThat(lines).as("service output").anyMatch(line -> line.contains("Started OrdersApplication"));
    List<Integer> leaks = new ArrayList<>();
    for (int n = 0; n < lines.size(); n++) {
      String line = lines.get(n);
      if (canaries.stream().anyMatch(line::contains)) {
        leaks.add(n + 1);
      }
    }
    // Only line numbers: the assertion message must not print the key either.
    assertThat(leaks).as("numbers of the service's output lines (of %d) that hold a line of a private "
        + "key, the password or the API key", lines.size()).isEmpty();
  }

  private void checkEndpoints(CertificateAuthority ca, URI management, List<String> canaries)
      throws IOException, InterruptedException {
    Map<String, String> bodies = new LinkedHashMap<>();
    for (String path : List.of("/actuator/env", "/actuator/env/" + PRIVATE_KEY_FILE, "/actuator/configprops",
        "/actuator/health", "/actuator/metrics")) {
      HttpResponse<String> response = get(ca, management.resolve(path), null);
      assertThat(response.statusCode()).as("GET %s", path).isEqualTo(200);
      bodies.put(path, response.body());
    }
    // The endpoints are the real ones, with values shown: they list the mount's keys and the
    // bundle's certificate, so a key that leaked would be there to find.
    assertThat(bodies.get("/actuator/env")).contains("\"" + PRIVATE_KEY_FILE + "\"",
        "\"server.ssl.bundle\"", "\"web\"");
    assertThat(bodies.get("/actuator/env/" + PRIVATE_KEY_FILE)).contains("******");
    assertThat(bodies.get("/actuator/configprops")).contains("mounted-secrets.ssl", "\"" + PRIVATE_KEY_FILE + "\"");
    assertThat(bodies.get("/actuator/health")).contains("\"mountedSecretsTls\"", "orders-spring second");
    assertThat(bodies.get("/actuator/metrics")).contains("\"mounted.secrets.tls.days.left\"");
    for (Map.Entry<String, String> body : bodies.entrySet()) {
      // A boolean, so that a failure does not print the key.
      assertThat(canaries.stream().anyMatch(body.getValue()::contains))
          .as("GET %s holds a line of a private key, the password or the API key", body.getKey()).isFalse();
    }
  }

  /** The files the AWS provider writes for the JSON secret prod/orders/tls and its two aliases. */
  static Map<String, Object> tlsFiles(IssuedCertificate material) {
    Map<String, Object> files = new LinkedHashMap<>();
    files.put(TLS_JSON, "{\"certificate\":\"" + jsonEscape(material.chainPem()) + "\",\"privateKey\":\""
        + jsonEscape(material.privateKeyPem()) + "\"}");
    files.put(CERTIFICATE_FILE, material.chainPem());
    files.put(PRIVATE_KEY_FILE, material.privateKeyPem());
    return files;
  }

  private static String jsonEscape(String pem) {
    return pem.replace("\r", "").replace("\n", "\\n");
  }

  /** The base64 lines of the key's PEM text: any one of them printed is a leak. */
  private static List<String> keyLines(IssuedCertificate material) {
    return material.privateKeyPem().lines().filter(line -> !line.startsWith("-----") && line.length() >= 16)
        .toList();
  }

  private static String random() {
    byte[] bytes = new byte[24];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Over a new client, so a new connection and a full handshake that shows the current certificate. */
  private static HttpResponse<String> get(CertificateAuthority ca, URI uri, String apiKey)
      throws IOException, InterruptedException {
    HttpClient client = HttpClient.newBuilder().sslContext(trusting(ca))
        .connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10));
    if (apiKey != null) {
      request.header("X-Api-Key", apiKey);
    }
    return client.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private static boolean plainHttpFails(URI https) throws InterruptedException {
    URI plain = URI.create("http://" + https.getAuthority() + https.getPath());
    try {
      HttpResponse<String> response = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(plain).timeout(Duration.ofSeconds(10)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      // Tomcat answers plain HTTP on a TLS port with 400.
      return response.statusCode() == 400;
    } catch (IOException e) {
      return true;
    }
  }

  private static Certificate presented(HttpResponse<?> response) throws IOException {
    return response.sslSession().orElseThrow(() -> new AssertionError("no TLS session: " + response.uri()))
        .getPeerCertificates()[0];
  }

  /** An SSL context that trusts the test authority and nothing else. */
  private static SSLContext trusting(CertificateAuthority ca) {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setCertificateEntry("ca", ca.certificate().certificate());
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot trust the test authority", e);
    }
  }

  /**
   * Everything an operator could turn on: env and configprops exposed with every value shown,
   * health with details, and the starter, Spring's SSL bundles and HikariCP logging at DEBUG, so
   * the canary check sees all they show and print.
   */
  private static Map<String, String> exposeEverythingAndLogAtDebug() {
    Map<String, String> properties = new LinkedHashMap<>();
    properties.put("management.endpoints.web.exposure.include", "health,metrics,env,configprops");
    properties.put("management.endpoint.env.show-values", "ALWAYS");
    properties.put("management.endpoint.configprops.show-values", "ALWAYS");
    properties.put("management.endpoint.health.show-details", "always");
    properties.put("logging.level.io.github.mountedsecrets", "DEBUG");
    properties.put("logging.level.org.springframework.boot.ssl", "DEBUG");
    properties.put("logging.level.com.zaxxer.hikari", "DEBUG");
    return properties;
  }

  private void print(String line) {
    output.add(line);
    System.out.println("[orders-spring https] " + line);
  }
}
