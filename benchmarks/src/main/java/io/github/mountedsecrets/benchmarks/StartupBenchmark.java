package io.github.mountedsecrets.benchmarks;

import io.github.mountedsecrets.test.SecretsMount;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Time to ready of the same minimal application with and without mounted-secrets, measured
 * from outside: the packaged application is started as a child process, and the clock runs
 * from just before the process is started to the first HTTP 200 from its {@code /hello}
 * endpoint (polled every 5 ms). The process is then stopped and the next one started.
 *
 * <p>Four applications, built with {@code -Pstartup-benchmark}: Spring Boot (one
 * {@code @RestController}, Actuator health) without and with the starter, the latter started
 * with {@code --spring.config.import=mounted-secrets:<mount>}; Quarkus (one REST resource)
 * without and with the extension, the latter started with
 * {@code -Dquarkus.mounted-secrets.directory=<mount>}. The mount is layout A (atomic writer)
 * with 20 secrets. Each round starts every application once, the order alternating between
 * rounds (without first, then with first), so that a slow spell of the machine does not fall
 * on one side only.
 *
 * <pre>
 * mvn -B install -DskipTests
 * mvn -B package -Pstartup-benchmark -pl benchmarks/startup-spring-plain,benchmarks/startup-spring-with,benchmarks/startup-quarkus-plain,benchmarks/startup-quarkus-with
 * java -cp benchmarks/target/benchmarks.jar io.github.mountedsecrets.benchmarks.StartupBenchmark \
 *     [--rounds 7] [--out benchmarks/target/startup-benchmark.txt]
 * </pre>
 */
public final class StartupBenchmark {
  private static final Duration READY_TIMEOUT = Duration.ofMinutes(2);
  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .connectTimeout(Duration.ofMillis(500)).build();

  private StartupBenchmark() {}

  /** One application under measurement. */
  private record App(String name, Path jar, boolean spring, boolean mounted) {}

  /**
   * Runs the rounds and prints the median and spread of each application.
   *
   * @param args {@code --rounds n}, {@code --out file}, {@code --root dir} (the repository)
   * @throws IOException if the result file cannot be written
   */
  public static void main(String[] args) throws IOException {
    int rounds = 7;
    Path out = Path.of("benchmarks/target/startup-benchmark.txt");
    Path root = Path.of(".");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--out" -> out = Path.of(args[++i]);
        case "--root" -> root = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Path benchmarks = root.resolve("benchmarks");
    List<App> spring = List.of(
        new App("Spring Boot", benchmarks.resolve("startup-spring-plain/target/startup-spring-plain.jar"), true, false),
        new App("Spring Boot + mounted-secrets", benchmarks.resolve("startup-spring-with/target/startup-spring-with.jar"), true, true));
    List<App> quarkus = List.of(
        new App("Quarkus", benchmarks.resolve("startup-quarkus-plain/target/quarkus-app/quarkus-run.jar"), false, false),
        new App("Quarkus + mounted-secrets", benchmarks.resolve("startup-quarkus-with/target/quarkus-app/quarkus-run.jar"), false, true));
    for (App app : concat(spring, quarkus)) {
      if (!Files.isRegularFile(app.jar())) {
        throw new IllegalStateException(app.jar() + " is missing: build with -Pstartup-benchmark");
      }
    }

    Path work = BenchMounts.newWorkDirectory();
    Map<App, List<Long>> millis = new LinkedHashMap<>();
    try {
      SecretsMount mount = BenchMounts.populated(SecretsMount.Layout.ATOMIC_WRITER, work, 20);
      for (int round = 0; round < rounds; round++) {
        boolean withFirst = round % 2 == 1;
        for (List<App> pair : List.of(spring, quarkus)) {
          List<App> order = withFirst ? List.of(pair.get(1), pair.get(0)) : pair;
          for (App app : order) {
            long ms = timeToReady(app, mount.directory());
            System.out.printf(Locale.ROOT, "round %d: %s ready in %d ms%n", round + 1, app.name(), ms);
            millis.computeIfAbsent(app, a -> new ArrayList<>()).add(ms);
          }
        }
      }
    } finally {
      BenchMounts.delete(work);
    }

    List<String> lines = new ArrayList<>();
    lines.add(String.format(Locale.ROOT, "Startup benchmark: %d rounds, JDK %s, %d processors, load average %s",
        rounds, System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(),
        loadAverage()));
    for (List<App> pair : List.of(spring, quarkus)) {
      long plain = median(millis.get(pair.get(0)));
      for (App app : pair) {
        List<Long> sorted = new ArrayList<>(millis.get(app));
        Collections.sort(sorted);
        long median = median(sorted);
        lines.add(String.format(Locale.ROOT, "%-30s median %5d ms, min %5d ms, max %5d ms, %.2fx | %s",
            app.name(), median, sorted.get(0), sorted.get(sorted.size() - 1),
            (double) median / plain, millis.get(app)));
      }
      // Both applications of a round ran back to back, so the ratio within a round cancels
      // most of the machine's slow and fast spells.
      List<Double> ratios = new ArrayList<>();
      for (int round = 0; round < rounds; round++) {
        ratios.add((double) millis.get(pair.get(1)).get(round) / millis.get(pair.get(0)).get(round));
      }
      Collections.sort(ratios);
      lines.add(String.format(Locale.ROOT, "%-30s with/without in the same round: median %.2fx, min %.2fx, max %.2fx",
          pair.get(1).name(), ratios.get((rounds - 1) / 2), ratios.get(0), ratios.get(rounds - 1)));
    }
    lines.forEach(System.out::println);
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.write(out, lines);
    System.out.println("written to " + out);
  }

  private static long timeToReady(App app, Path mount) {
    int port = freePort();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    if (!app.spring()) {
      command.add("-Dquarkus.http.port=" + port);
      if (app.mounted()) {
        command.add("-Dquarkus.mounted-secrets.directory=" + mount);
      }
    }
    command.add("-jar");
    command.add(app.jar().toAbsolutePath().toString());
    if (app.spring()) {
      command.add("--server.port=" + port);
      command.add("--spring.main.banner-mode=off");
      command.add("--logging.level.root=WARN");
      if (app.mounted()) {
        command.add("--spring.config.import=mounted-secrets:" + mount);
      }
    }
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    URI hello = URI.create("http://localhost:" + port + "/hello");
    long start = System.nanoTime();
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start " + command, e);
    }
    try {
      long deadline = start + READY_TIMEOUT.toNanos();
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          throw new IllegalStateException(app.name() + " exited with " + process.exitValue());
        }
        if (ok(hello)) {
          return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
      }
      throw new IllegalStateException(app.name() + " not ready within " + READY_TIMEOUT);
    } finally {
      stop(process);
    }
  }

  private static boolean ok(URI uri) {
    try {
      HttpResponse<Void> response = CLIENT.send(HttpRequest.newBuilder(uri)
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
      return response.statusCode() == 200;
    } catch (ConnectException | HttpTimeoutException e) {
      return false;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void stop(Process process) {
    process.toHandle().descendants().forEach(ProcessHandle::destroy);
    process.toHandle().destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.toHandle().destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.toHandle().destroyForcibly();
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long median(List<Long> values) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get((sorted.size() - 1) / 2);
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static <T> List<T> concat(List<T> a, List<T> b) {
    List<T> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
