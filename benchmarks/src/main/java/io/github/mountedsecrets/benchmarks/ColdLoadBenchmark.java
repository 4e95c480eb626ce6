package io.github.mountedsecrets.benchmarks;

import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.SecretsSnapshot;
import io.github.mountedsecrets.test.SecretsMount;
import io.smallrye.config.source.file.FileSystemConfigSource;
import java.nio.file.Path;
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
import org.openjdk.jmh.infra.Blackhole;
import org.springframework.boot.env.ConfigTreePropertySource;

/**
 * Loading a whole layout-A (atomic writer) mount of {@code secrets} keys and reading every
 * value once, from nothing to the last value in hand.
 *
 * <p>"Cold" means a new reader object each time; the JVM is warm and the files sit in the
 * page cache (on tmpfs, as a real CSI mount), so this measures the library's own work and
 * the system calls it makes, not a disk.
 *
 * <ul>
 *   <li>{@code mountedSecrets}: {@code MountedSecrets.builder().directory(dir).build()} with
 *       every option at its default, so watching is on: the build creates the watch service
 *       and starts the reload thread, and {@code close()} stops and joins it. Then every key
 *       is read with {@code get}, and the instance is closed.</li>
 *   <li>{@code mountedSecretsNoWatch}: the same with {@code watch(false)} (the reload thread
 *       still starts, for the fallback poll; no watch service).</li>
 *   <li>{@code springConfigTree}: {@code new ConfigTreePropertySource(name, dir)}, then
 *       {@code getProperty(name).toString()} for every name of {@code getPropertyNames()}
 *       (Spring reads a file's bytes on first access).</li>
 *   <li>{@code smallRyeFileSystem}: {@code new FileSystemConfigSource(dir)} (reads every file),
 *       then {@code getValue(name)} for every name.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ColdLoadBenchmark {
  /** How many secrets the mount holds. */
  @Param({"1000", "10000"})
  public int secrets;

  private Path work;
  private Path dir;

  /** Writes the mount and checks that every reader finds all secrets. */
  @Setup(Level.Trial)
  public void setUp() {
    work = BenchMounts.newWorkDirectory();
    dir = BenchMounts.populated(SecretsMount.Layout.ATOMIC_WRITER, work, secrets).directory();
    int ours;
    try (MountedSecrets s = MountedSecrets.builder().directory(dir).build()) {
      ours = s.snapshot().size();
    }
    int spring = new ConfigTreePropertySource("configtree", dir).getPropertyNames().length;
    int smallRye = new FileSystemConfigSource(dir.toFile()).getPropertyNames().size();
    if (ours != secrets || spring != secrets || smallRye != secrets) {
      throw new IllegalStateException("expected " + secrets + " keys; MountedSecrets found "
          + ours + ", ConfigTreePropertySource " + spring + ", FileSystemConfigSource " + smallRye);
    }
  }

  /** Removes the mount. */
  @TearDown(Level.Trial)
  public void tearDown() {
    BenchMounts.delete(work);
  }

  /**
   * Build (watching, the default), read all, close.
   *
   * @param bh sink for the values
   * @return the number of keys
   */
  @Benchmark
  public int mountedSecrets(Blackhole bh) {
    try (MountedSecrets s = MountedSecrets.builder().directory(dir).build()) {
      return readAll(s, bh);
    }
  }

  /**
   * Build with {@code watch(false)}, read all, close.
   *
   * @param bh sink for the values
   * @return the number of keys
   */
  @Benchmark
  public int mountedSecretsNoWatch(Blackhole bh) {
    try (MountedSecrets s = MountedSecrets.builder().directory(dir).watch(false).build()) {
      return readAll(s, bh);
    }
  }

  private static int readAll(MountedSecrets secrets, Blackhole bh) {
    SecretsSnapshot snapshot = secrets.snapshot();
    for (String key : snapshot.keys()) {
      bh.consume(secrets.get(key));
    }
    return snapshot.size();
  }

  /**
   * Construct a configtree property source and read every property's text.
   *
   * @param bh sink for the values
   * @return the number of keys
   */
  @Benchmark
  public int springConfigTree(Blackhole bh) {
    ConfigTreePropertySource source = new ConfigTreePropertySource("configtree", dir);
    String[] names = source.getPropertyNames();
    for (String name : names) {
      bh.consume(source.getProperty(name).toString());
    }
    return names.length;
  }

  /**
   * Construct a SmallRye file-system config source and read every value.
   *
   * @param bh sink for the values
   * @return the number of keys
   */
  @Benchmark
  public int smallRyeFileSystem(Blackhole bh) {
    FileSystemConfigSource source = new FileSystemConfigSource(dir.toFile());
    int n = 0;
    for (String name : source.getPropertyNames()) {
      bh.consume(source.getValue(name));
      n++;
    }
    return n;
  }
}
