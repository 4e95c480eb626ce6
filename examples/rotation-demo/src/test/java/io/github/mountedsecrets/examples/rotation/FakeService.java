package io.github.mountedsecrets.examples.rotation;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for a packaged service, run by {@link ServiceProcessTest} in its own JVM: serves
 * the Spring readiness path, {@code /orders} and {@code /whoami} on {@code -Dserver.port},
 * reads the user from the mount in {@code MOUNTED_SECRETS_DIRECTORY}, and exits at once with
 * code 3 when {@code -Dfake.fail=true}; prints a line when it is stopped. With
 * {@code -Dmanagement.server.port} it serves the readiness path there instead, on a second
 * server; it prints {@code SPRING_PROFILES_ACTIVE}.
 */
public final class FakeService {
  private FakeService() {
  }

  /**
   * Starts the server.
   *
   * @param args unused
   * @throws IOException if the port is taken
   */
  public static void main(String[] args) throws IOException {
    Path mount = Path.of(System.getenv("MOUNTED_SECRETS_DIRECTORY"));
    System.out.println("fake service: mount " + mount);
    System.out.println("fake service: profiles " + System.getenv("SPRING_PROFILES_ACTIVE"));
    if (Boolean.getBoolean("fake.fail")) {
      System.out.println("fake service: failing as asked");
      System.exit(3);
    }
    AtomicInteger requests = new AtomicInteger();
    HttpServer server = HttpServer.create(new InetSocketAddress("localhost", Integer.getInteger("server.port")), 50);
    Integer managementPort = Integer.getInteger("management.server.port");
    HttpServer management = managementPort == null ? server
        : HttpServer.create(new InetSocketAddress("localhost", managementPort), 50);
    management.createContext("/actuator/health/readiness", exchange -> answer(exchange, 200, "{\"status\":\"UP\"}"));
    if (management != server) {
      management.start();
      System.out.println("fake service: management on " + managementPort);
    }
    server.createContext("/orders", exchange -> {
      boolean keyOk = Files.readString(mount.resolve("API_KEY"))
          .equals(exchange.getRequestHeaders().getFirst("X-Api-Key"));
      // Every 50th request fails, so that the load generator has failures to count.
      if (!keyOk || requests.incrementAndGet() % 50 == 0) {
        answer(exchange, keyOk ? 500 : 401, "{\"error\":\"no\"}");
      } else {
        answer(exchange, 200, "[{\"id\":1}]");
      }
    });
    server.createContext("/whoami", exchange ->
        answer(exchange, 200, "{\"user\":\"" + Files.readString(mount.resolve("DB_USER")) + "\"}"));
    Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("fake service: stopping")));
    server.start();
    System.out.println("fake service: listening");
  }

  private static void answer(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
