package io.github.mountedsecrets.benchmarks;

import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.Subscription;
import io.github.mountedsecrets.test.SecretsMount;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * Rotation to listener: how long after a writer starts a rotation the {@code onChange}
 * listener of a watching {@link MountedSecrets} (default options: 30 s poll, 100 ms quiet
 * period) receives the change.
 *
 * <p>Each invocation publishes the mount's full set of {@code secrets} files with one value
 * changed, through {@link SecretsMount} (layout A: a new generation and the {@code ..data}
 * switch; layout B: every file rewritten through a temp file and a rename, as the AWS provider
 * does on every poll), then waits until the listener has seen the new value. JMH's
 * {@code SampleTime} mode times every invocation, so the reported percentiles are of
 * "writer starts" to "listener runs", the writer's own time included.
 *
 * <p>In addition, the state records the time from the moment the change became visible on disk
 * (layout A: {@code ..data} switched; layout B: the last file renamed) to the listener, for
 * measurement iterations only, and prints its percentiles when the trial ends, together with
 * those of the writer's own time ({@code publish} from call to return). Change events
 * that do not carry the value just written are counted and printed as "unexpected events".
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 4)
@Fork(1)
public class RotationLatencyBenchmark {
  private static final String KEY = BenchMounts.name(0);
  private static final long TIMEOUT_SECONDS = 10;

  /** The writer imitated. */
  @Param({"ATOMIC_WRITER", "FILE_BY_FILE"})
  public SecretsMount.Layout layout;

  /** How many secrets the mount holds; every rotation writes all of them. */
  @Param({"10"})
  public int secrets;

  private Path work;
  private SecretsMount mount;
  private MountedSecrets mountedSecrets;
  private Subscription subscription;
  private Map<String, String> files;
  private long counter;

  private final BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
  private volatile long visibleAt;
  private boolean measuring;
  private long[] visibleToListener = new long[1024];
  private long[] writeTimes = new long[1024];
  private int samples;
  private long unexpectedEvents;
  private long quietPeriodMillis;

  private record Seen(String value, long at) {}

  /** Writes the mount, starts a watching instance and subscribes. */
  @Setup(Level.Trial)
  public void setUp() {
    work = BenchMounts.newWorkDirectory();
    mount = BenchMounts.populated(layout, work, secrets);
    files = new LinkedHashMap<>(BenchMounts.secrets(secrets));
    mountedSecrets = MountedSecrets.builder().directory(mount.directory()).build();
    quietPeriodMillis = MountedSecrets.DEFAULT_QUIET_PERIOD.toMillis();
    subscription = mountedSecrets.onChange(event -> seen.add(
        new Seen(event.current().find(KEY).orElse(""), System.nanoTime())));
    mount.onStep(step -> {
      if (step == SecretsMount.Step.DATA_SWITCHED || step == SecretsMount.Step.FILE_RENAMED) {
        visibleAt = System.nanoTime();
      }
    });
  }

  /**
   * Notes whether the coming iteration is measured.
   *
   * @param params the iteration's parameters
   */
  @Setup(Level.Iteration)
  public void startIteration(IterationParams params) {
    measuring = params.getType() == IterationType.MEASUREMENT;
  }

  /** Prints the visible-to-listener percentiles, stops the instance, removes the mount. */
  @TearDown(Level.Trial)
  public void tearDown() {
    try {
      long[] sorted = Arrays.copyOf(visibleToListener, samples);
      Arrays.sort(sorted);
      long[] writes = Arrays.copyOf(writeTimes, samples);
      Arrays.sort(writes);
      System.out.printf("%n[%s, %d secrets, quiet period %d ms] on disk -> listener: n=%d"
          + " p50=%.3f ms p90=%.3f ms p99=%.3f ms max=%.3f ms; writer's own time: p50=%.3f ms"
          + " p99=%.3f ms max=%.3f ms; unexpected events: %d%n",
          layout, secrets, quietPeriodMillis, samples, millis(sorted, 0.50), millis(sorted, 0.90),
          millis(sorted, 0.99), millis(sorted, 1.0), millis(writes, 0.50), millis(writes, 0.99),
          millis(writes, 1.0), unexpectedEvents);
    } finally {
      if (subscription != null) {
        subscription.close();
      }
      if (mountedSecrets != null) {
        mountedSecrets.close();
      }
      BenchMounts.delete(work);
    }
  }

  private static double millis(long[] sorted, double quantile) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int index = (int) Math.ceil(quantile * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
  }

  /**
   * Publishes one rotation and waits for the listener.
   *
   * @return the new value, as the listener saw it
   * @throws InterruptedException if interrupted while waiting
   */
  @Benchmark
  public String rotate() throws InterruptedException {
    String value = "rotated-" + (++counter);
    files.put(KEY, value);
    long start = System.nanoTime();
    mount.publish(files);
    long written = System.nanoTime() - start;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
    while (true) {
      Seen event = seen.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (event == null) {
        throw new IllegalStateException("no change event for rotation " + counter + " within "
            + TIMEOUT_SECONDS + " s (" + layout + ")");
      }
      if (event.value().equals(value)) {
        if (measuring) {
          record(event.at() - visibleAt, written);
        }
        return event.value();
      }
      unexpectedEvents++;
    }
  }

  private void record(long nanos, long writeNanos) {
    if (samples == visibleToListener.length) {
      visibleToListener = Arrays.copyOf(visibleToListener, samples * 2);
      writeTimes = Arrays.copyOf(writeTimes, samples * 2);
    }
    writeTimes[samples] = writeNanos;
    visibleToListener[samples++] = nanos;
  }
}
