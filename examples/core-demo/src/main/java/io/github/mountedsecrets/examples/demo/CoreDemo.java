package io.github.mountedsecrets.examples.demo;

import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.SecretsChangedEvent;
import io.github.mountedsecrets.SecretsSnapshot;
import io.github.mountedsecrets.test.SecretsMount;
import io.github.mountedsecrets.test.TemporaryDirectories;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A command-line demo: creates a sample secrets mount in a temporary directory, rotates it
 * every few seconds exactly as the CSI driver (or the AWS provider) writes it, and prints
 * what the library sees: keys, versions and each rotation with its detection delay. Values
 * are never printed.
 *
 * <p>Options: {@code --layout atomic|file-by-file} (default atomic), {@code --interval 3s},
 * {@code --rotations N} (default: until Ctrl-C), {@code --mount DIR} to watch an existing
 * directory instead of the sample (nothing is written to it).
 */
public final class CoreDemo {
  private final PrintStream out;
  private final long startNanos = System.nanoTime();
  private final AtomicLong lastWriteNanos = new AtomicLong();

  CoreDemo(PrintStream out) {
    this.out = out;
  }

  /**
   * Runs the demo.
   *
   * @param args see the class description
   * @throws Exception if the demo cannot start
   */
  public static void main(String[] args) throws Exception {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println("usage: core-demo [--layout atomic|file-by-file] [--interval 3s] "
          + "[--rotations N] [--mount DIR]");
      System.exit(2);
      return;
    }
    // Ctrl-C: stop the demo's own thread and let it close the watcher before the sample
    // mount is deleted, so that the last lines say "stopped", not "mount not mounted".
    Thread main = Thread.currentThread();
    CountDownLatch finished = new CountDownLatch(1);
    Thread onCtrlC = new Thread(() -> {
      main.interrupt();
      try {
        finished.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "demo-stop");
    Runtime.getRuntime().addShutdownHook(onCtrlC);
    try {
      new CoreDemo(System.out).run(options);
    } finally {
      finished.countDown();
    }
  }

  void run(Options options) throws Exception {
    Path temp = null;
    Path directory = options.mount;
    SecretsMount mount = null;
    if (directory == null) {
      temp = Files.createTempDirectory("mounted-secrets-demo");
      directory = temp.resolve("secrets-store");
      mount = SecretsMount.create(options.layout, directory).publish(sample(0));
    }
    try (MountedSecrets secrets = MountedSecrets.builder().directory(directory).build()) {
      SecretsSnapshot snapshot = secrets.snapshot();
      say("watching %s (%s layout), %d keys:", directory, snapshot.layout(), snapshot.size());
      for (String key : snapshot.keys()) {
        say("  %-28s version %d", key, snapshot.version(key));
      }
      secrets.onChange(event -> report(event));
      if (mount == null) {
        say("watching only; press Ctrl-C to stop");
        new CountDownLatch(1).await();
        return;
      }
      say("rotating every %s%s; press Ctrl-C to stop", format(options.interval),
          options.rotations > 0 ? " for " + options.rotations + " rotations" : "");
      for (int n = 1; options.rotations <= 0 || n <= options.rotations; n++) {
        Thread.sleep(options.interval.toMillis());
        say("rotation %d: writing %s", n, options.layout == SecretsMount.Layout.ATOMIC_WRITER
            ? "a new generation and switching ..data" : "the files one by one");
        lastWriteNanos.set(System.nanoTime());
        mount.publish(sample(n));
      }
      // Give the last rotation time to be seen before closing.
      Thread.sleep(Math.max(500, 3 * MountedSecrets.DEFAULT_QUIET_PERIOD.toMillis()));
      say("done: %d changes seen, state %s", secrets.status().changes(), secrets.status().state());
    } catch (InterruptedException e) {
      // Ctrl-C: the watcher is closed by now; remove the sample below.
      Thread.interrupted();
    } finally {
      if (temp != null) {
        deleteQuietly(temp);
        say("stopped; removed %s", temp);
      } else {
        say("stopped");
      }
    }
  }

  private void report(SecretsChangedEvent event) {
    long written = lastWriteNanos.get();
    String delay = written == 0 ? "" : String.format(Locale.ROOT, " %.1f ms after the write",
        (System.nanoTime() - written) / 1e6);
    say("change detected%s: revision %d, added %s, changed %s, removed %s", delay,
        event.current().revision(), event.added(), event.changed(), event.removed());
  }

  /** The sample mount: alternating database users, as the alternating-users strategy does. */
  static Map<String, Object> sample(int n) {
    String user = n % 2 == 0 ? "app_blue" : "app_green";
    String password = UUID.randomUUID().toString();
    Map<String, Object> files = new LinkedHashMap<>();
    files.put("DB_USER", user);
    files.put("DB_PASSWORD", password);
    files.put("prod-db", "{\"username\":\"" + user + "\",\"password\":\"" + password + "\","
        + "\"engine\":\"postgres\",\"host\":\"db.internal\",\"port\":5432,\"dbname\":\"orders\"}");
    files.put("API_KEY", n < 2 ? "api-key-1" : "api-key-2");
    return files;
  }

  private void say(String format, Object... args) {
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    out.printf(Locale.ROOT, "[%6.1fs] %s%n", seconds, String.format(Locale.ROOT, format, args));
    out.flush();
  }

  private static String format(Duration duration) {
    return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + "s" : duration.toMillis() + "ms";
  }

  private static void deleteQuietly(Path dir) {
    if (dir != null && !TemporaryDirectories.delete(dir)) {
      System.err.println("could not delete " + dir + " completely");
    }
  }

  /** Parsed command-line options. */
  static final class Options {
    SecretsMount.Layout layout = SecretsMount.Layout.ATOMIC_WRITER;
    Duration interval = Duration.ofSeconds(3);
    int rotations;
    Path mount;

    static Options parse(String[] args) {
      Options options = new Options();
      for (int i = 0; i < args.length; i++) {
        String arg = args[i];
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("option " + arg + " needs a value");
        }
        String value = args[++i];
        switch (arg) {
          case "--layout":
            if (value.equals("atomic")) {
              options.layout = SecretsMount.Layout.ATOMIC_WRITER;
            } else if (value.equals("file-by-file")) {
              options.layout = SecretsMount.Layout.FILE_BY_FILE;
            } else {
              throw new IllegalArgumentException("--layout must be atomic or file-by-file, but was " + value);
            }
            break;
          case "--interval":
            options.interval = parseDuration(value);
            break;
          case "--rotations":
            try {
              options.rotations = Integer.parseInt(value);
            } catch (NumberFormatException e) {
              throw new IllegalArgumentException("--rotations must be a number, but was " + value);
            }
            break;
          case "--mount":
            options.mount = Path.of(value);
            break;
          default:
            throw new IllegalArgumentException("unknown option " + arg);
        }
      }
      return options;
    }

    private static Duration parseDuration(String value) {
      try {
        if (value.endsWith("ms")) {
          return Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)));
        }
        if (value.endsWith("s")) {
          return Duration.ofSeconds(Long.parseLong(value.substring(0, value.length() - 1)));
        }
        return Duration.ofSeconds(Long.parseLong(value));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--interval must look like 3s or 500ms, but was " + value);
      }
    }
  }
}
