package io.github.mountedsecrets.benchmarks.tls;

import io.github.mountedsecrets.test.CertificateAuthority;
import io.github.mountedsecrets.test.HandshakeLoad;
import io.github.mountedsecrets.test.IssuedCertificate;
import io.github.mountedsecrets.test.SecretsMount;
import io.github.mountedsecrets.test.TemporaryDirectories;
import io.github.mountedsecrets.test.TlsMountWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

/**
 * TLS certificates rotating under handshake load in a Spring Boot application with embedded
 * Tomcat ({@code server.ssl.bundle=web}): the starter's bundle
 * ({@code mounted-secrets.ssl.bundle.web.*}) against Spring Boot's own PEM bundle
 * ({@code spring.ssl.bundle.pem.web.keystore.*} with {@code reload-on-update=true}, quiet period
 * 10 s by default) reading the same files.
 *
 * <p>Workload, the same for every run: two clients connect in a loop, 10 ms apart, each
 * connection with a fresh {@code SSLContext} (a full handshake, no resumption) that trusts the
 * test root; {@code --rotations} rotations, each in one of three scenarios:
 * <ul>
 *   <li>{@code atomic}: the driver's atomic writer switches certificate and key together;</li>
 *   <li>{@code atomic-mismatch}: the atomic writer first publishes a broken generation (a new
 *       certificate with the old key) and keeps it {@code --hold} (12 s, longer than Spring
 *       Boot's quiet period), then the good one;</li>
 *   <li>{@code key-first}: file by file, the new key lands {@code --gap} (12 s) before its
 *       certificate.</li>
 * </ul>
 * After {@code --warm-up} (1) unmeasured rotations, measured: failed connections, the time
 * from the write that completes a good generation to
 * the first handshake presenting its certificate, and rotations whose certificate was not
 * presented within {@code --wait} (30 s) of that write.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar \
 *     io.github.mountedsecrets.benchmarks.tls.SpringTlsRotationBenchmark \
 *     [--rotations 5] [--warm-up 1] [--scenarios atomic,atomic-mismatch,key-first] [--apps starter,boot-pem] \
 *     [--gap 12s] [--hold 12s] [--wait 30s] [--out benchmarks/target/spring-tls-rotation-benchmark.txt]
 * </pre>
 */
public final class SpringTlsRotationBenchmark {
  private SpringTlsRotationBenchmark() {}

  /** How the mount is rotated. */
  enum Scenario {
    ATOMIC("atomic", SecretsMount.Layout.ATOMIC_WRITER),
    ATOMIC_MISMATCH("atomic-mismatch", SecretsMount.Layout.ATOMIC_WRITER),
    KEY_FIRST("key-first", SecretsMount.Layout.FILE_BY_FILE);

    final String id;
    final SecretsMount.Layout layout;

    Scenario(String id, SecretsMount.Layout layout) {
      this.id = id;
      this.layout = layout;
    }

    static Scenario of(String id) {
      return Arrays.stream(values()).filter(s -> s.id.equals(id)).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("unknown scenario '" + id + "'"));
    }
  }

  /** Which SSL bundle serves Tomcat. */
  enum App {
    STARTER("starter"), BOOT_PEM("boot-pem");

    final String id;

    App(String id) {
      this.id = id;
    }

    static App of(String id) {
      return Arrays.stream(values()).filter(a -> a.id.equals(id)).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("unknown app '" + id + "'"));
    }
  }

  /** A Spring Boot web application with every auto-configuration on the class path. */
  @Configuration(proxyBeanMethods = false)
  @EnableAutoConfiguration(excludeName = {
      "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
      "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration"})
  static class Application {}

  /** Settings of one invocation. */
  private static final class Settings {
    int rotations = 5;
    int warmUp = 1;
    Duration gap = Duration.ofSeconds(12);
    Duration hold = Duration.ofSeconds(12);
    Duration wait = Duration.ofSeconds(30);
  }

  /**
   * Runs every scenario with every application and prints one line each.
   *
   * @param args see the class comment
   * @throws IOException if the result file cannot be written
   */
  public static void main(String[] args) throws IOException {
    Settings settings = new Settings();
    List<Scenario> scenarios = List.of(Scenario.values());
    List<App> apps = List.of(App.values());
    Path out = Path.of("benchmarks/target/spring-tls-rotation-benchmark.txt");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--rotations" -> settings.rotations = Integer.parseInt(args[++i]);
        case "--warm-up" -> settings.warmUp = Integer.parseInt(args[++i]);
        case "--scenarios" -> scenarios = Arrays.stream(args[++i].split(",")).map(Scenario::of).toList();
        case "--apps" -> apps = Arrays.stream(args[++i].split(",")).map(App::of).toList();
        case "--gap" -> settings.gap = duration(args[++i]);
        case "--hold" -> settings.hold = duration(args[++i]);
        case "--wait" -> settings.wait = duration(args[++i]);
        case "--out" -> out = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    List<String> lines = new ArrayList<>();
    lines.add(String.format(Locale.ROOT, "Spring Boot TLS rotation benchmark: %d rotations per "
        + "run after %d warm-up, key-first gap %d s, mismatch held %d s, 2 clients, JDK %s",
        settings.rotations, settings.warmUp,
        settings.gap.toSeconds(), settings.hold.toSeconds(), System.getProperty("java.version")));
    System.out.println(lines.get(0));
    CertificateAuthority ca = CertificateAuthority.create("Benchmark Root");
    for (Scenario scenario : scenarios) {
      for (App app : apps) {
        String line = run(scenario, app, settings, ca).toString();
        System.out.println(line);
        lines.add(line);
      }
    }
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.write(out, lines);
    System.out.println("written to " + out);
  }

  private static Duration duration(String text) {
    return Duration.parse("PT" + text.toUpperCase(Locale.ROOT));
  }

  private static Result run(Scenario scenario, App app, Settings settings, CertificateAuthority ca)
      throws IOException {
    Path root = Files.createTempDirectory("spring-tls-rotation-benchmark-");
    try {
      SecretsMount mount = SecretsMount.create(scenario.layout, root.resolve("secrets-store"));
      TlsMountWriter writer = TlsMountWriter.separateFiles(mount, "tls.crt", "tls.key");
      IssuedCertificate current = ca.server("initial");
      writer.publish(current);
      Result result = new Result(scenario, app);
      try (ConfigurableApplicationContext context = start(app, mount.directory());
          HandshakeLoad load = HandshakeLoad.start("localhost",
              Integer.parseInt(context.getEnvironment().getProperty("local.server.port")), ca, 2,
              false)) {
        waitFor(load, current, settings.wait);
        long okBefore = 0;
        long failedBefore = 0;
        // Warm-up rotations (JIT of the checks, the bundle update and Tomcat's reload) are not
        // counted.
        for (int i = 1 - settings.warmUp; i <= settings.rotations; i++) {
          IssuedCertificate next = ca.server("gen-" + i);
          if (i == 1) {
            okBefore = load.successes();
            failedBefore = load.failures();
          }
          switch (scenario) {
            case ATOMIC -> writer.publish(next);
            case ATOMIC_MISMATCH -> {
              writer.publishMismatched(ca.server("broken-" + i), current);
              sleep(settings.hold.toMillis());
              writer.publish(next);
            }
            case KEY_FIRST -> writer.publishKeyFirst(next, settings.gap);
            default -> throw new IllegalStateException(scenario.toString());
          }
          long written = System.nanoTime();
          boolean seen = waitFor(load, next, settings.wait);
          if (i > 0) {
            result.delays.add(seen ? load.firstSeen(next.certificate()).get() - written : null);
          }
          current = next;
        }
        result.ok = load.successes() - okBefore;
        result.failed = load.failures() - failedBefore;
      }
      return result;
    } finally {
      TemporaryDirectories.delete(root);
    }
  }

  private static boolean waitFor(HandshakeLoad load, IssuedCertificate certificate, Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    while (System.nanoTime() - deadline < 0) {
      if (load.firstSeen(certificate.certificate()).isPresent()) {
        return true;
      }
      sleep(5);
    }
    return load.firstSeen(certificate.certificate()).isPresent();
  }

  private static ConfigurableApplicationContext start(App app, Path mount) {
    List<String> properties = new ArrayList<>(List.of("server.port=0",
        "server.address=127.0.0.1", "server.ssl.bundle=web"));
    if (app == App.STARTER) {
      properties.add("mounted-secrets.directory=" + mount);
      properties.add("mounted-secrets.ssl.bundle.web.certificate=tls.crt");
      properties.add("mounted-secrets.ssl.bundle.web.private-key=tls.key");
    } else {
      properties.add("spring.ssl.bundle.pem.web.keystore.certificate=file:" + mount.resolve("tls.crt"));
      properties.add("spring.ssl.bundle.pem.web.keystore.private-key=file:" + mount.resolve("tls.key"));
      properties.add("spring.ssl.bundle.pem.web.reload-on-update=true");
      properties.add("spring.autoconfigure.exclude="
          + "io.github.mountedsecrets.spring.MountedSecretsAutoConfiguration,"
          + "io.github.mountedsecrets.spring.jdbc.DataSourceRotationAutoConfiguration,"
          + "io.github.mountedsecrets.spring.actuate.MountedSecretsActuatorAutoConfiguration,"
          + "io.github.mountedsecrets.spring.actuate.MountedSecretsMetricsAutoConfiguration,"
          + "io.github.mountedsecrets.spring.ssl.MountedSecretsSslAutoConfiguration");
    }
    SpringApplication application = new SpringApplication(Application.class);
    application.setWebApplicationType(WebApplicationType.SERVLET);
    application.setBannerMode(Banner.Mode.OFF);
    return application.run(properties.stream().map(p -> "--" + p).toArray(String[]::new));
  }

  /** What one run did. */
  private static final class Result {
    final Scenario scenario;
    final App app;
    final List<Long> delays = new ArrayList<>();
    long ok;
    long failed;

    Result(Scenario scenario, App app) {
      this.scenario = scenario;
      this.app = app;
    }

    @Override
    public String toString() {
      List<Long> seen = new ArrayList<>();
      for (Long delay : delays) {
        if (delay != null) {
          seen.add(delay);
        }
      }
      Collections.sort(seen);
      String latency = seen.isEmpty() ? "never"
          : String.format(Locale.ROOT, "median %,d ms, max %,d ms",
              TimeUnit.NANOSECONDS.toMillis(seen.get((seen.size() - 1) / 2)),
              TimeUnit.NANOSECONDS.toMillis(seen.get(seen.size() - 1)));
      return String.format(Locale.ROOT,
          "%-16s %-9s | new certificate served in %d of %d rotations (missed %d) | write to "
              + "first handshake with it: %s | connections: %,d ok, %,d failed",
          scenario.id, app.id, seen.size(), delays.size(), delays.size() - seen.size(), latency,
          ok, failed);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
