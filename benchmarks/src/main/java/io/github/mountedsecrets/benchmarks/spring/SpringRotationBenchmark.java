package io.github.mountedsecrets.benchmarks.spring;

import io.github.mountedsecrets.test.EmbeddedDatabase;
import io.github.mountedsecrets.test.SecretsMount;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

/**
 * Database credentials rotating under load in a Spring Boot application: the starter
 * ({@code spring.config.import=mounted-secrets:...}, HikariCP rotation) against a plain Spring
 * Boot application that reads the same mount with {@code spring.config.import=configtree:...}.
 *
 * <p>Workload, the same for every application: Spring Boot's auto-configured HikariCP pool (8
 * connections, or {@code --pool-size}; 2 s connection timeout) to an embedded PostgreSQL 17
 * that checks passwords (SCRAM), with {@code spring.datasource.username=${DB_USER}} and
 * {@code password=${DB_PASSWORD}}; 4 threads run {@code select current_user} in a loop with a
 * 0.25 ms pause (or {@code --pause-micros}, 0 for none); {@code --rotations} rotations with the
 * alternating-users strategy, each:
 * create the next user, write its pair to the mount, wait 2 s, drop the previous user (which
 * ends its sessions). Measured: the time from the moment the pair is on disk (the writer
 * returned) to the first query served by a connection of the new user, and the queries that
 * succeeded and failed before and after the first user was dropped.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar \
 *     io.github.mountedsecrets.benchmarks.spring.SpringRotationBenchmark \
 *     [--rotations 10] [--apps starter-atomic-writer,starter-file-by-file,configtree] \
 *     [--pool-size 8] [--pause-micros 250] [--out benchmarks/target/spring-rotation-benchmark.txt]
 * </pre>
 */
public final class SpringRotationBenchmark {
  private static final long WAIT_BEFORE_DROP_MILLIS = 2_000;
  private static final int THREADS = 4;

  private SpringRotationBenchmark() {}

  /** The applications compared. */
  enum App {
    STARTER_ATOMIC_WRITER("starter-atomic-writer", SecretsMount.Layout.ATOMIC_WRITER, true),
    STARTER_FILE_BY_FILE("starter-file-by-file", SecretsMount.Layout.FILE_BY_FILE, true),
    CONFIGTREE("configtree", SecretsMount.Layout.ATOMIC_WRITER, false);

    final String id;
    final SecretsMount.Layout layout;
    final boolean starter;

    App(String id, SecretsMount.Layout layout, boolean starter) {
      this.id = id;
      this.layout = layout;
      this.starter = starter;
    }

    static App of(String id) {
      return Arrays.stream(values()).filter(a -> a.id.equals(id)).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("unknown app '" + id + "'"));
    }
  }

  /** A Spring Boot application with every auto-configuration on the class path. */
  @Configuration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  static class Application {}

  /**
   * Runs every application and prints one line each.
   *
   * @param args see the class comment
   * @throws IOException if the result file cannot be written
   */
  public static void main(String[] args) throws IOException {
    int rotations = 10;
    int poolSize = 8;
    long pauseMicros = 250;
    List<App> apps = List.of(App.values());
    Path out = Path.of("benchmarks/target/spring-rotation-benchmark.txt");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--rotations" -> rotations = Integer.parseInt(args[++i]);
        case "--apps" -> apps = Arrays.stream(args[++i].split(",")).map(App::of).toList();
        case "--out" -> out = Path.of(args[++i]);
        case "--pool-size" -> poolSize = Integer.parseInt(args[++i]);
        case "--pause-micros" -> pauseMicros = Long.parseLong(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    List<String> lines = new ArrayList<>();
    lines.add(String.format(Locale.ROOT,
        "Spring Boot rotation benchmark: %d rotations, pool %d, %d threads, pause %d us, JDK %s",
        rotations, poolSize, THREADS, pauseMicros, System.getProperty("java.version")));
    try (EmbeddedDatabase db = EmbeddedDatabase.start()) {
      for (App app : apps) {
        String line = run(app, rotations, poolSize, pauseMicros, db).toString();
        System.out.println(line);
        lines.add(line);
      }
    }
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.write(out, lines);
    System.out.println("written to " + out);
  }

  private static Result run(App app, int rotations, int poolSize, long pauseMicros,
      EmbeddedDatabase db) throws IOException {
    Path root = Files.createTempDirectory("spring-rotation-benchmark-");
    try {
      SecretsMount mount = SecretsMount.create(app.layout, root.resolve("secrets-store"));
      String user = newUser(app);
      String password = UUID.randomUUID().toString();
      db.createUser(user, password);
      mount.publish(pair(user, password));
      Result result = new Result(app);
      try (ConfigurableApplicationContext context = start(app, mount.directory(), db.jdbcUrl(), poolSize);
          Load load = new Load(context.getBean(DataSource.class), pauseMicros)) {
        for (int i = 0; i < rotations; i++) {
          String next = newUser(app);
          String nextPassword = UUID.randomUUID().toString();
          db.createUser(next, nextPassword);
          mount.publish(pair(next, nextPassword));
          long onDisk = System.nanoTime();
          sleep(WAIT_BEFORE_DROP_MILLIS);
          Long firstQuery = load.firstQueryAs.get(next);
          result.delays.add(firstQuery == null ? null : Math.max(0, firstQuery - onDisk));
          if (i == 0) {
            result.okBeforeDrop = load.ok.get();
            result.failedBeforeDrop = load.failed.get();
          }
          db.dropUser(user);
          user = next;
        }
        sleep(WAIT_BEFORE_DROP_MILLIS);
        load.stop();
        result.okAfterDrop = load.ok.get() - result.okBeforeDrop;
        result.failedAfterDrop = load.failed.get() - result.failedBeforeDrop;
      }
      return result;
    } finally {
      deleteRecursively(root);
    }
  }

  private static ConfigurableApplicationContext start(App app, Path mount, String jdbcUrl,
      int poolSize) {
    List<String> properties = new ArrayList<>(List.of(
        "spring.datasource.url=" + jdbcUrl,
        "spring.datasource.username=${DB_USER}",
        "spring.datasource.password=${DB_PASSWORD}",
        "spring.datasource.hikari.maximum-pool-size=" + poolSize,
        "spring.datasource.hikari.connection-timeout=2000"));
    if (app.starter) {
      properties.add("spring.config.import=mounted-secrets:" + mount);
    } else {
      properties.add("spring.config.import=configtree:" + mount + "/");
      properties.add("spring.autoconfigure.exclude="
          + "io.github.mountedsecrets.spring.MountedSecretsAutoConfiguration,"
          + "io.github.mountedsecrets.spring.jdbc.DataSourceRotationAutoConfiguration,"
          + "io.github.mountedsecrets.spring.actuate.MountedSecretsActuatorAutoConfiguration,"
          + "io.github.mountedsecrets.spring.actuate.MountedSecretsMetricsAutoConfiguration");
    }
    SpringApplication application = new SpringApplication(Application.class);
    application.setWebApplicationType(WebApplicationType.NONE);
    application.setBannerMode(Banner.Mode.OFF);
    return application.run(properties.stream().map(p -> "--" + p).toArray(String[]::new));
  }

  private static Map<String, String> pair(String user, String password) {
    Map<String, String> files = new LinkedHashMap<>();
    files.put("DB_USER", user);
    files.put("DB_PASSWORD", password);
    return files;
  }

  private static String newUser(App app) {
    return (app.starter ? "starter" : "plain") + "_" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** Queries from {@value #THREADS} threads, recording when each user served its first query. */
  private static final class Load implements AutoCloseable {
    final AtomicLong ok = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final Map<String, Long> firstQueryAs = new ConcurrentHashMap<>();
    private final DataSource dataSource;
    private final long pauseNanos;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;

    Load(DataSource dataSource, long pauseMicros) {
      this.dataSource = dataSource;
      this.pauseNanos = TimeUnit.MICROSECONDS.toNanos(pauseMicros);
      for (int i = 0; i < THREADS; i++) {
        Thread thread = new Thread(this::run, "load-" + i);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
      }
    }

    private void run() {
      while (running) {
        try (Connection connection = dataSource.getConnection();
            Statement statement = connection.createStatement();
            ResultSet rs = statement.executeQuery("select current_user")) {
          rs.next();
          long now = System.nanoTime();
          firstQueryAs.putIfAbsent(rs.getString(1), now);
          ok.incrementAndGet();
        } catch (SQLException | RuntimeException e) {
          failed.incrementAndGet();
        }
        if (pauseNanos > 0) {
          LockSupport.parkNanos(pauseNanos);
        }
      }
    }

    void stop() {
      running = false;
      for (Thread thread : threads) {
        try {
          thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }

    @Override
    public void close() {
      stop();
    }
  }

  /** What one application did. */
  private static final class Result {
    final App app;
    final List<Long> delays = new ArrayList<>();
    long okBeforeDrop;
    long failedBeforeDrop;
    long okAfterDrop;
    long failedAfterDrop;

    Result(App app) {
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
          : String.format(Locale.ROOT, "median %d ms, max %d ms",
              TimeUnit.NANOSECONDS.toMillis(seen.get((seen.size() - 1) / 2)),
              TimeUnit.NANOSECONDS.toMillis(seen.get(seen.size() - 1)));
      return String.format(Locale.ROOT,
          "%-22s rotations on new credentials %d of %d | disk to a query on a new connection: %s"
              + " | before the first drop: %,d ok, %,d failed | after: %,d ok, %,d failed",
          app.id, seen.size(), delays.size(), latency, okBeforeDrop, failedBeforeDrop, okAfterDrop,
          failedAfterDrop);
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

  private static void deleteRecursively(Path root) {
    try (var paths = Files.walk(root)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> {
        try {
          Files.deleteIfExists(path);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
