package io.github.mountedsecrets.benchmarks;

import io.github.mountedsecrets.MountStatus;
import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.test.SecretsMount;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Idle cost: the CPU time a watching {@link MountedSecrets} (default options: watch on, 30 s
 * poll, 100 ms quiet period) uses while nothing changes, measured over a fixed window.
 *
 * <p>For each layout it writes a mount of {@code --secrets} files, builds an instance, lets it
 * settle for five seconds, then measures for {@code --seconds}:
 * <ul>
 *   <li>the CPU time of the library's threads (names starting with {@code mounted-secrets-})
 *       and of the JDK's inotify poller thread ({@code FileSystemWatchService}) that the
 *       library's watch service owns, from {@link ThreadMXBean#getThreadCpuTime(long)};</li>
 *   <li>the whole process's CPU time ({@code com.sun.management.OperatingSystemMXBean}), which
 *       also counts the JVM's own housekeeping (GC, JIT, JMX);</li>
 *   <li>how many reloads the instance ran (it should run none).</li>
 * </ul>
 * A baseline phase first measures the process with no instance at all, so that the process
 * figure can be read against it.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.github.mountedsecrets.benchmarks.IdleCost \
 *     [--secrets 1000] [--seconds 60] [--layouts ATOMIC_WRITER,FILE_BY_FILE] [--no-baseline]
 * </pre>
 */
public final class IdleCost {
  private static final long SETTLE_MILLIS = 5_000;
  private static final String WATCH_SERVICE_THREAD = "FileSystemWatchService";

  private IdleCost() {}

  /**
   * Runs the measurement and prints one line per phase.
   *
   * @param args see the class comment
   * @throws InterruptedException if interrupted while waiting
   */
  public static void main(String[] args) throws InterruptedException {
    int secrets = 1000;
    long seconds = 60;
    boolean baseline = true;
    List<SecretsMount.Layout> layouts =
        List.of(SecretsMount.Layout.ATOMIC_WRITER, SecretsMount.Layout.FILE_BY_FILE);
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--secrets" -> secrets = Integer.parseInt(args[++i]);
        case "--seconds" -> seconds = Long.parseLong(args[++i]);
        case "--no-baseline" -> baseline = false;
        case "--layouts" -> {
          List<SecretsMount.Layout> chosen = new ArrayList<>();
          for (String name : args[++i].split(",")) {
            chosen.add(SecretsMount.Layout.valueOf(name.trim().toUpperCase(Locale.ROOT)));
          }
          layouts = chosen;
        }
        default -> {
          System.err.println("usage: IdleCost [--secrets N] [--seconds S] "
              + "[--layouts ATOMIC_WRITER,FILE_BY_FILE] [--no-baseline]");
          System.exit(2);
          return;
        }
      }
    }

    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    if (!threads.isThreadCpuTimeSupported()) {
      throw new IllegalStateException("this JVM cannot measure thread CPU time");
    }
    threads.setThreadCpuTimeEnabled(true);
    com.sun.management.OperatingSystemMXBean os =
        ManagementFactory.getPlatformMXBean(com.sun.management.OperatingSystemMXBean.class);

    System.out.printf("IdleCost: %d secrets, %d s window after %d s settling, %s, %d CPUs, mounts under %s%n",
        secrets, seconds, SETTLE_MILLIS / 1000, System.getProperty("java.vm.version"),
        Runtime.getRuntime().availableProcessors(), BenchMounts.baseDirectory());

    if (baseline) {
      Thread.sleep(SETTLE_MILLIS);
      long cpu0 = os.getProcessCpuTime();
      long wall0 = System.nanoTime();
      Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
      long wall = System.nanoTime() - wall0;
      long cpu = os.getProcessCpuTime() - cpu0;
      System.out.printf("baseline (no instance): process CPU %.1f ms over %.1f s (%.4f%% of one core)%n",
          cpu / 1e6, wall / 1e9, 100.0 * cpu / wall);
    }

    for (SecretsMount.Layout layout : layouts) {
      Path work = BenchMounts.newWorkDirectory();
      try {
        SecretsMount mount = BenchMounts.populated(layout, work, secrets);
        try (MountedSecrets instance = MountedSecrets.builder().directory(mount.directory()).build()) {
          Thread.sleep(SETTLE_MILLIS);
          MountStatus before = instance.status();
          Map<String, Long> threadCpu0 = libraryThreadCpu(threads);
          long cpu0 = os.getProcessCpuTime();
          long wall0 = System.nanoTime();
          Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
          long wall = System.nanoTime() - wall0;
          long cpu = os.getProcessCpuTime() - cpu0;
          Map<String, Long> threadCpu1 = libraryThreadCpu(threads);
          MountStatus after = instance.status();

          long library = 0;
          StringBuilder perThread = new StringBuilder();
          for (Map.Entry<String, Long> e : threadCpu1.entrySet()) {
            long delta = e.getValue() - threadCpu0.getOrDefault(e.getKey(), 0L);
            library += delta;
            perThread.append(String.format("%n    %s: %.3f ms", e.getKey(), delta / 1e6));
          }
          System.out.printf("%s, %d secrets (%s, %d keys): library threads %.3f ms CPU over %.1f s"
              + " (%.5f%% of one core); process %.1f ms (%.4f%%); reloads during window: %d%s%n",
              layout, secrets, after.layout(), after.keyCount(), library / 1e6, wall / 1e9,
              100.0 * library / wall, cpu / 1e6, 100.0 * cpu / wall,
              after.successfulReloads() + after.failedReloads()
                  - before.successfulReloads() - before.failedReloads(),
              perThread);
        }
      } finally {
        BenchMounts.delete(work);
      }
    }
  }

  /** Returns the CPU time, in ns, of each live library thread, by name and id. */
  private static Map<String, Long> libraryThreadCpu(ThreadMXBean threads) {
    Map<String, Long> result = new TreeMap<>();
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      String name = thread.getName();
      if (name.startsWith("mounted-secrets-") || name.equals(WATCH_SERVICE_THREAD)) {
        long cpu = threads.getThreadCpuTime(thread.getId());
        if (cpu >= 0) {
          result.put(name + " #" + thread.getId(), cpu);
        }
      }
    }
    return result;
  }
}
