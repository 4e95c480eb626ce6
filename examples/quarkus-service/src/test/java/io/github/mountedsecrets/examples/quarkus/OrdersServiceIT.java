package io.github.mountedsecrets.examples.quarkus;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The packaged service ({@code target/quarkus-app/quarkus-run.jar}) in its own JVM, against an
 * embedded PostgreSQL and a temp mount written the way the CSI driver writes it, in both
 * layouts: four client threads call {@code GET /orders} while the credentials rotate five
 * times with the alternating-users strategy. No request may fail, {@code /whoami} must follow
 * each rotation, and the retired user's sessions must close.
 *
 * <p>The service runs with the library's and Agroal's loggers at DEBUG; none of the passwords
 * written to the mount, nor the API key, nor the wrong key a client sent may appear in
 * anything it prints or answers.
 */
class OrdersServiceIT {
  private static final int ROTATIONS = 5;
  private static final int THREADS = 4;
  private static final int REQUESTS_PER_GENERATION = 200;
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final Duration POLL = Duration.ofMillis(50);
  private static final Path SERVICE_LOGS = Path.of("target", "service-logs");
  private static final String WRONG_KEY_ANSWER = "{\"error\":\"missing or wrong X-Api-Key\"}";
  /** The library's and Agroal's loggers at DEBUG, for the canary check. */
  private static final Map<String, String> SERVICE_PROPERTIES = Map.of(
      "quarkus.log.category.\"io.github.mountedsecrets\".level", "DEBUG",
      "quarkus.log.category.\"io.agroal\".level", "DEBUG");

  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5))
      .build();

  @ParameterizedTest(name = "{0}")
  @EnumSource(SecretsMount.Layout.class)
  void followsRotationsUnderLoadWithoutAFailedRequest(SecretsMount.Layout layout, @TempDir Path temp)
      throws Exception {
    Queue<String> output = new ConcurrentLinkedQueue<>();
    List<String> passwords = new ArrayList<>();
    String apiKey;
    String wrongKey = "wrong-key-" + UUID.randomUUID();
    List<String> answers = new ArrayList<>();
    try (OrdersDatabase database = OrdersDatabase.start()) {
      OrdersMount mount = OrdersMount.create(layout, temp.resolve("secrets-store"), database);
      passwords.add(Files.readString(mount.directory().resolve(OrdersMount.PASSWORD_FILE)).strip());
      apiKey = mount.apiKey();
      long started = System.nanoTime();
      try (ServiceProcess service = ServiceProcess.start(ServiceProcess.Kind.QUARKUS, jar(),
          mount.directory(), SERVICE_PROPERTIES, output::add)) {
        System.out.printf("%s: service ready in %d ms%n", layout, millisSince(started));
        URI base = service.baseUri();

        HttpResponse<String> orders = get(base, "/orders", apiKey);
        assertThat(orders.statusCode()).isEqualTo(200);
        assertThat(orders.body()).startsWith("[{\"id\":1,\"item\":\"espresso beans 1kg\",\"quantity\":2}");
        HttpResponse<String> whoami = get(base, "/whoami", apiKey);
        assertThat(whoami.body()).isEqualTo("{\"user\":\"" + OrdersDatabase.USER + "\"}");
        answers.add(orders.body());
        answers.add(whoami.body());

        for (String path : List.of("/orders", "/whoami")) {
          HttpResponse<String> noKey = get(base, path, null);
          HttpResponse<String> wrong = get(base, path, wrongKey);
          assertThat(noKey.statusCode()).as("%s without a key", path).isEqualTo(401);
          assertThat(noKey.body()).isEqualTo(WRONG_KEY_ANSWER);
          assertThat(wrong.statusCode()).as("%s with a wrong key", path).isEqualTo(401);
          assertThat(wrong.body()).isEqualTo(WRONG_KEY_ANSWER);
          answers.add(noKey.body());
          answers.add(wrong.body() + wrong.headers().map());
        }

        List<Long> switchMillis = new ArrayList<>();
        List<Long> retireMillis = new ArrayList<>();
        try (LoadGenerator load = LoadGenerator.start(base, apiKey, THREADS)) {
          await(() -> load.ok() >= REQUESTS_PER_GENERATION, () -> "requests before the first rotation");
          for (int i = 1; i <= ROTATIONS; i++) {
            OrdersMount.Rotation rotation = mount.rotate();
            passwords.add(rotation.password());
            String retired = mount.previousUser();
            long written = System.nanoTime();
            await(() -> rotation.user().equals(load.whoami()),
                () -> "GET /whoami answering " + rotation.user() + " after " + rotation);
            switchMillis.add(millisSince(written));
            await(() -> database.sessions(retired) == 0,
                () -> "the sessions of " + retired + " closed after " + rotation + " (open: "
                    + database.sessions(retired) + ")");
            retireMillis.add(millisSince(written));
            long served = load.ok();
            await(() -> load.ok() >= served + REQUESTS_PER_GENERATION,
                () -> REQUESTS_PER_GENERATION + " requests served after " + rotation);
          }
          load.stop();
          assertThat(load.failed()).as("failed requests: %s", load.failures()).isZero();
          assertThat(load.ok()).isPositive();
          System.out.printf("%s: %d requests, 0 failed; from each write of the mount to /whoami"
              + " on the new user: %s ms, to no session of the old user: %s ms%n", layout,
              load.ok(), switchMillis, retireMillis);
        }

        HttpResponse<String> ready = get(base, "/q/health/ready", null);
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).contains("\"status\": \"UP\"").contains("\"mounted-secrets\"")
            .contains("IN_SYNC");
        HttpResponse<String> live = get(base, "/q/health/live", null);
        assertThat(live.statusCode()).isEqualTo(200);
        HttpResponse<String> metrics = get(base, "/q/metrics", null);
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("mounted_secrets_");
        answers.add(ready.body());
        answers.add(live.body());
        answers.add(metrics.body());
      }
    } finally {
      // For diagnosis: what the service printed (free of secrets, as checked below).
      Files.createDirectories(SERVICE_LOGS);
      Files.write(SERVICE_LOGS.resolve("orders-quarkus-" + layout + ".log"), output);
    }

    String printed = String.join("\n", output);
    assertThat(printed).contains("switched to the credentials of revision");
    // Not assertThat(printed).doesNotContain(secret): its failure message would print the secret.
    String everything = printed + "\n" + String.join("\n", answers);
    for (int i = 0; i < passwords.size(); i++) {
      assertThat(everything.contains(passwords.get(i)))
          .as("the password of generation %d appears in the output or an answer", i).isFalse();
    }
    assertThat(everything.contains(apiKey)).as("the API key appears in the output or an answer").isFalse();
    assertThat(everything.contains(wrongKey)).as("the wrong key appears in the output or an answer").isFalse();
  }

  private static Path jar() {
    return Path.of(System.getProperty("orders.service.jar", "target/quarkus-app/quarkus-run.jar"));
  }

  private HttpResponse<String> get(URI base, String path, String apiKey)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
        .timeout(Duration.ofSeconds(10))
        .GET();
    if (apiKey != null) {
      request.header("X-Api-Key", apiKey);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Polls a condition every 50 ms until it holds or {@link #TIMEOUT} has passed. */
  private static void await(BooleanSupplier condition, Supplier<String> description)
      throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("timed out after " + TIMEOUT.toSeconds() + " s waiting for "
            + description.get());
      }
      Thread.sleep(POLL.toMillis());
    }
  }

  private static long millisSince(long nanos) {
    return (System.nanoTime() - nanos) / 1_000_000;
  }
}
