package io.github.mountedsecrets.benchmarks;

import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.test.SecretsMount;
import io.smallrye.config.source.file.FileSystemConfigSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
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
import org.springframework.boot.env.ConfigTreePropertySource;

/**
 * Looking up one secret by key, after everything is loaded.
 *
 * <p>All four sources read the same layout-A mount of {@code secrets} keys. Each invocation
 * looks up the next key of a fixed shuffled sequence (1,024 lookups, every key at least once);
 * the lookup strings are separate instances from the map keys, as they would be in an
 * application, so {@code equals} really compares characters. The cost of picking the key is
 * the same in every method.
 *
 * <ul>
 *   <li>{@code concurrentHashMap}: {@code ConcurrentHashMap.get} on a map of the same names
 *       and values, the floor.</li>
 *   <li>{@code mountedSecrets}: {@link MountedSecrets#get(String)}, watching as by default.</li>
 *   <li>{@code springConfigTree}: {@code ConfigTreePropertySource.getProperty(key).toString()}.
 *       {@code getProperty} alone returns a lazy {@code Value} handle; its text is produced by
 *       {@code toString()}, which is what Spring's property resolution calls. Spring reads
 *       the file on first access and keeps its bytes (without {@code Option.ALWAYS_READ}); each
 *       {@code toString()} decodes them into a new {@code String}. Its names sit in a
 *       {@code TreeMap}.</li>
 *   <li>{@code springConfigTreeHandleOnly}: {@code getProperty(key)} without {@code toString()},
 *       shown so that the reader can see what the handle alone costs; it does not yield the
 *       secret's text.</li>
 *   <li>{@code smallRyeFileSystem}: {@code FileSystemConfigSource.getValue(key)}; SmallRye reads
 *       every file when the source is constructed.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class LookupBenchmark {
  private static final int SEQUENCE = 1024;

  /** How many secrets the mount holds. */
  @Param({"1000"})
  public int secrets;

  private Path work;
  private MountedSecrets mountedSecrets;
  private ConcurrentHashMap<String, String> map;
  private ConfigTreePropertySource configTree;
  private FileSystemConfigSource smallRye;
  private String[] keys;

  /** Writes the mount and loads it into every source; checks they all agree. */
  @Setup(Level.Trial)
  public void setUp() {
    work = BenchMounts.newWorkDirectory();
    SecretsMount mount = BenchMounts.populated(SecretsMount.Layout.ATOMIC_WRITER, work, secrets);
    Path dir = mount.directory();
    Map<String, String> expected = BenchMounts.secrets(secrets);

    mountedSecrets = MountedSecrets.builder().directory(dir).build();
    map = new ConcurrentHashMap<>();
    expected.forEach((k, v) -> map.put(new String(k), new String(v)));
    configTree = new ConfigTreePropertySource("configtree", dir);
    smallRye = new FileSystemConfigSource(dir.toFile());

    List<String> sequence = new ArrayList<>(SEQUENCE);
    List<String> names = new ArrayList<>(expected.keySet());
    for (int i = 0; i < SEQUENCE; i++) {
      // A copy, not the instance any source holds.
      sequence.add(new String(names.get(i % names.size())));
    }
    Collections.shuffle(sequence, new Random(7));
    keys = sequence.toArray(new String[0]);

    for (Map.Entry<String, String> e : expected.entrySet()) {
      String key = e.getKey();
      check("MountedSecrets", key, e.getValue(), mountedSecrets.get(key));
      check("ConcurrentHashMap", key, e.getValue(), map.get(key));
      check("ConfigTreePropertySource", key, e.getValue(), configTree.getProperty(key).toString());
      check("FileSystemConfigSource", key, e.getValue(), smallRye.getValue(key));
    }
    check("MountedSecrets size", "-", String.valueOf(secrets),
        String.valueOf(mountedSecrets.snapshot().size()));
    check("ConfigTreePropertySource size", "-", String.valueOf(secrets),
        String.valueOf(configTree.getPropertyNames().length));
    check("FileSystemConfigSource size", "-", String.valueOf(secrets),
        String.valueOf(smallRye.getPropertyNames().size()));
  }

  static void check(String source, String key, String expected, String actual) {
    if (!expected.equals(actual)) {
      throw new IllegalStateException(source + " disagrees on " + key + ": expected "
          + expected.length() + " chars, got " + (actual == null ? "null" : actual.length() + " chars"));
    }
  }

  /** Closes the instance and removes the mount. */
  @TearDown(Level.Trial)
  public void tearDown() {
    if (mountedSecrets != null) {
      mountedSecrets.close();
    }
    BenchMounts.delete(work);
  }

  /** Per-thread position in the key sequence. */
  @State(Scope.Thread)
  public static class Cursor {
    private int next;

    String next(String[] keys) {
      return keys[next++ & (SEQUENCE - 1)];
    }
  }

  /**
   * The floor: a plain concurrent map.
   *
   * @param cursor the key sequence
   * @return the value
   */
  @Benchmark
  public String concurrentHashMap(Cursor cursor) {
    return map.get(cursor.next(keys));
  }

  /**
   * {@code MountedSecrets.get}.
   *
   * @param cursor the key sequence
   * @return the value
   */
  @Benchmark
  public String mountedSecrets(Cursor cursor) {
    return mountedSecrets.get(cursor.next(keys));
  }

  /**
   * Spring Boot configtree: the value's text.
   *
   * @param cursor the key sequence
   * @return the value
   */
  @Benchmark
  public String springConfigTree(Cursor cursor) {
    return configTree.getProperty(cursor.next(keys)).toString();
  }

  /**
   * Spring Boot configtree: the lazy handle only, not the text.
   *
   * @param cursor the key sequence
   * @return the handle
   */
  @Benchmark
  public Object springConfigTreeHandleOnly(Cursor cursor) {
    return configTree.getProperty(cursor.next(keys));
  }

  /**
   * SmallRye {@code FileSystemConfigSource.getValue}.
   *
   * @param cursor the key sequence
   * @return the value
   */
  @Benchmark
  public String smallRyeFileSystem(Cursor cursor) {
    return smallRye.getValue(cursor.next(keys));
  }
}
