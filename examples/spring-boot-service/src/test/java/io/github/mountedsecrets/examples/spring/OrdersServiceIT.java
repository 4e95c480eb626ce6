package io.github.mountedsecrets.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mountedsecrets.examples.rotation.LoadGenerator;
import io.github.mountedsecrets.examples.rotation.OrdersDatabase;
import io.github.mountedsecrets.examples.rotation.OrdersMount;
import io.github.mountedsecrets.examples.rotation.ServiceProcess;
import io.github.mountedsecrets.test.SecretsMount;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The packaged service ({@code target/orders-spring.jar}, run with {@code java -jar}) against a
 * real PostgreSQL and a mount written the way the CSI driver writes it, in both layouts: the
 * credentials rotate with the alternating-users strategy while four client threads call
 * {@code GET /orders}, and not one request may fail.
 */
class OrdersServiceIT {
  private static final int ROTATIONS = 5;
  private static final int CLIENT_THREADS = 4;
  private static final int REQUESTS_BETWEEN_ROTATIONS = 200;
  private static final Duration FOLLOW_TIMEOUT = Duration.ofSeconds(30);
  private static final Path JAR =
      Path.of(System.getProperty("orders.service.jar", "target/orders-spring.jar"));

  @TempDir
  Path dir;

  private final Queue<String> output = new ConcurrentLinkedQueue<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @ParameterizedTest(name = "{0}")
  @EnumSource(SecretsMount.Layout.class)
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void followsRotationsUnderLoadWithoutAFailedRequest(SecretsMount.Layout layout) throws Exception {
    List<String> written = new ArrayList<>();
    try (OrdersDatabase database = OrdersDatabase.start()) {
      OrdersMount mount = OrdersMount.create(layout, dir.resolve("secrets-store"), database);
      written.add(mount.apiKey());
      written.add(Files.readString(mount.directory().resolve(OrdersMount.PASSWORD_FILE)).strip());

      try (ServiceProcess service = ServiceProcess.start(ServiceProcess.Kind.SPRING, JAR,
          mount.directory(), debugLogging(), this::print)) {
        URI base = service.baseUri();
        try (LoadGenerator load = LoadGenerator.start(base, mount.apiKey(), CLIENT_THREADS)) {
          assertThat(load.whoami()).isEqualTo(OrdersDatabase.USER);

          for (int i = 1; i <= ROTATIONS; i++) {
            OrdersMount.Rotation rotation = mount.rotate();
            written.add(rotation.password());
            String previous = mount.previousUser();
            await(() -> rotation.user().equals(load.whoami()),
                () -> "GET /whoami answers " + rotation.user() + " after " + rotation);
            long switched = millisSince(rotation.writtenAt());
            await(() -> database.sessions(previous) == 0,
                () -> previous + " has no session left after " + rotation + " (still "
                    + database.sessions(previous) + ")");
            System.out.println(String.format("%s: rotation %d to %s: /whoami followed after %d ms, "
                + "%s's sessions gone after %d ms", layout, rotation.number(), rotation.user(), switched,
                previous, millisSince(rotation.writtenAt())));
            long served = load.ok();
            await(() -> load.ok() > served + REQUESTS_BETWEEN_ROTATIONS,
                () -> "requests succeed after " + rotation + " (ok " + load.ok() + ", failed "
                    + load.failed() + ")");
          }

          load.stop();
          assertThat(load.failed())
              .as("failed requests in %d rotations (%s layout): %s", ROTATIONS, layout, load.failures())
              .isZero();
          assertThat(load.ok()).isPositive();
          System.out.println(String.format("%s: %d rotations, %d requests ok, %d failed", layout,
              ROTATIONS, load.ok(), load.failed()));
        }

        checkApiKey(base, mount.apiKey());
        checkHealthAndMetrics(base, written);
      }
    }

    List<String> lines = List.copyOf(output);
    assertThat(lines).as("service output").anyMatch(line -> line.contains("Started OrdersApplication"));
    List<Integer> leaks = new ArrayList<>();
    for (int n = 0; n < lines.size(); n++) {
      String line = lines.get(n);
      if (written.stream().anyMatch(line::contains)) {
        leaks.add(n + 1);
      }
    }
    // Only line numbers: the assertion message must not print the secret either.
    assertThat(leaks).as("numbers of the service's output lines (of %d) that hold a password or the "
        + "API key", lines.size()).isEmpty();
  }

  private static long millisSince(Instant instant) {
    return Duration.between(instant, Instant.now()).toMillis();
  }

  private void checkApiKey(URI base, String apiKey) throws IOException, InterruptedException {
    for (String path : List.of("/orders", "/whoami")) {
      for (String presented : new String[] {null, "", "wrong-key", apiKey.substring(1), apiKey + "x"}) {
        HttpResponse<String> refused = get(base, path, presented);
        assertThat(refused.statusCode()).as("GET %s with a missing or wrong key", path).isEqualTo(401);
        assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(
            type -> assertThat(type).startsWith("application/json"));
        assertThat(refused.body().contains(apiKey)).as("the 401 answer holds the key").isFalse();
        assertThat(refused.body()).isEqualTo("{\"error\":\"missing or wrong X-Api-Key\"}");
      }
    }
    HttpResponse<String> orders = get(base, "/orders", apiKey);
    assertThat(orders.statusCode()).isEqualTo(200);
    assertThat(orders.body()).startsWith("[{\"id\":1,\"item\":\"espresso beans 1kg\",\"quantity\":2},");
  }

  private void checkHealthAndMetrics(URI base, List<String> secrets)
      throws IOException, InterruptedException {
    HttpResponse<String> readiness = get(base, "/actuator/health/readiness", null);
    assertThat(readiness.statusCode()).isEqualTo(200);
    assertThat(readiness.body()).contains("\"status\":\"UP\"");
    assertThat(get(base, "/actuator/health/liveness", null).statusCode()).isEqualTo(200);

    HttpResponse<String> health = get(base, "/actuator/health", null);
    assertThat(health.statusCode()).isEqualTo(200);
    HttpResponse<String> metrics = get(base, "/actuator/metrics", null);
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body()).contains("\"hikaricp.connections\"", "\"mounted.secrets.reloads\"");
    // Checked as booleans, so that a failure does not print the secret.
    assertThat(secrets.stream().anyMatch(health.body()::contains)).as("health holds a secret").isFalse();
    assertThat(secrets.stream().anyMatch(metrics.body()::contains)).as("metrics hold a secret").isFalse();
  }

  private HttpResponse<String> get(URI base, String path, String apiKey)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10));
    if (apiKey != null) {
      request.header("X-Api-Key", apiKey);
    }
    return http.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Logs the starter and HikariCP at DEBUG, so that the canary check sees all they print. */
  private static Map<String, String> debugLogging() {
    return Map.of("logging.level.io.github.mountedsecrets", "DEBUG",
        "logging.level.com.zaxxer.hikari", "DEBUG");
  }

  private void print(String line) {
    output.add(line);
    System.out.println("[orders-spring] " + line);
  }

  private static void await(BooleanSupplier condition, Supplier<String> description)
      throws InterruptedException {
    long deadline = System.nanoTime() + FOLLOW_TIMEOUT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("not within " + FOLLOW_TIMEOUT.toSeconds() + " s: " + description.get());
      }
      Thread.sleep(50);
    }
  }
}
