package io.github.mountedsecrets.benchmarks;

import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.test.SecretsMount;
import io.smallrye.config.source.file.FileSystemConfigSource;
import java.io.IOException;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.springframework.boot.env.ConfigTreePropertySource;

/**
 * The heap held by a reader of a mount once every value has been read: {@code MountedSecrets}
 * (default options, so watching) against Spring's {@code ConfigTreePropertySource} and
 * SmallRye's {@code FileSystemConfigSource} holding the same layout-A mount.
 *
 * <p>{@code MountedSecrets} keeps every default.
 *
 * <p>Mounts: 1,000 and 10,000 plain secrets (32-character values, as in the other
 * benchmarks); one JSON file of 1,000 fields (the default {@code maxJsonKeysPerFile}); ten such
 * files (10,000 fields, the default {@code maxJsonKeys}). Each JSON shape comes twice: typical
 * fields (a 10-character name, a 32-character value) and minimal ones (a name of one to two
 * characters, a one-character value), which give the most keys per byte of file and so the
 * highest heap-to-bytes ratio among objects of strings; and one and ten files each holding an
 * array of 1,000 one-digit numbers, two bytes of file per derived key, the highest ratio a
 * default-limited mount can reach.
 *
 * <p>Two figures per reader and mount: the exact size of the objects the instance alone reaches
 * ({@link RetainedHeap#unique}, object sizes from JOL), and, as a cross-check, the growth of the
 * used heap after full collections when several instances are held at once, divided by their
 * number. Run with a fixed heap so the second figure is stable:
 *
 * <pre>
 * java -Xms1g -Xmx1g -cp benchmarks/target/benchmarks.jar \
 *     io.github.mountedsecrets.benchmarks.HeapFootprint [--out benchmarks/target/heap-footprint.txt]
 * </pre>
 */
public final class HeapFootprint {
  private HeapFootprint() {}

  /** A reader under measurement: built on a mount, every value read once. */
  private record Reader(String name, Function<Path, Object> open) {}

  private static final List<Reader> READERS = List.of(
      new Reader("MountedSecrets", dir -> {
        MountedSecrets secrets = MountedSecrets.builder().directory(dir).build();
        for (String key : secrets.snapshot().keys()) {
          secrets.get(key);
        }
        return secrets;
      }),
      new Reader("ConfigTreePropertySource", dir -> {
        ConfigTreePropertySource source = new ConfigTreePropertySource("configtree", dir);
        for (String name : source.getPropertyNames()) {
          source.getProperty(name).toString();
        }
        return source;
      }),
      new Reader("FileSystemConfigSource", dir -> {
        FileSystemConfigSource source = new FileSystemConfigSource(dir.toFile());
        for (String name : source.getPropertyNames()) {
          source.getValue(name);
        }
        return source;
      }));

  /**
   * Measures every mount and prints a table.
   *
   * @param args {@code --out file}
   * @throws IOException if the result file cannot be written
   */
  public static void main(String[] args) throws IOException {
    Path out = Path.of("benchmarks/target/heap-footprint.txt");
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--out")) {
        out = Path.of(args[++i]);
      } else {
        throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Map<String, Map<String, String>> mounts = new LinkedHashMap<>();
    mounts.put("1,000 secrets", BenchMounts.secrets(1_000));
    mounts.put("10,000 secrets", BenchMounts.secrets(10_000));
    mounts.put("1 JSON file, 1,000 typical fields", jsonFiles(1, false));
    mounts.put("10 JSON files, 10,000 typical fields", jsonFiles(10, false));
    mounts.put("1 JSON file, 1,000 minimal fields", jsonFiles(1, true));
    mounts.put("10 JSON files, 10,000 minimal fields", jsonFiles(10, true));
    mounts.put("1 JSON file, array of 1,000 digits", jsonArrays(1));
    mounts.put("10 JSON files, arrays of 10,000 digits", jsonArrays(10));

    List<String> lines = new ArrayList<>();
    lines.add(String.format(Locale.ROOT, "Heap footprint, JDK %s, max heap %d MiB",
        System.getProperty("java.version"), Runtime.getRuntime().maxMemory() >> 20));
    lines.add("mount | file bytes | keys (derived) | reader | JOL unique bytes | per key"
        + " | x file bytes | GC delta per instance (instances)");
    for (Map.Entry<String, Map<String, String>> mount : mounts.entrySet()) {
      long fileBytes = mount.getValue().values().stream()
          .mapToLong(v -> v.getBytes(StandardCharsets.UTF_8).length).sum();
      Path work = BenchMounts.newWorkDirectory();
      try {
        SecretsMount written = SecretsMount.atomicWriter(work.resolve("mount"));
        written.publish(mount.getValue());
        Path dir = written.directory();
        int keys;
        try (MountedSecrets probe = MountedSecrets.builder().directory(dir).build()) {
          keys = probe.snapshot().size();
        }
        int derived = keys - mount.getValue().size();
        for (Reader reader : READERS) {
          String line = measure(mount.getKey(), fileBytes, keys, derived, reader, dir);
          System.out.println(line);
          lines.add(line);
        }
      } finally {
        BenchMounts.delete(work);
      }
    }
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.write(out, lines);
    System.out.println("written to " + out);
  }

  private static String measure(String mount, long fileBytes, int keys, int derived,
      Reader reader, Path dir) {
    // Warm up: classes loaded, lazy JDK singletons created, so the twins differ only in data.
    close(reader.open().apply(dir));
    Object twin = reader.open().apply(dir);
    Object root = reader.open().apply(dir);
    long unique = RetainedHeap.unique(root, twin);
    close(root);
    close(twin);

    int instances = keys >= 5_000 ? 4 : 16;
    long before = RetainedHeap.usedAfterGc();
    List<Object> held = new ArrayList<>();
    for (int i = 0; i < instances; i++) {
      held.add(reader.open().apply(dir));
    }
    long after = RetainedHeap.usedAfterGc();
    Reference.reachabilityFence(held);
    held.forEach(HeapFootprint::close);
    long gcDelta = (after - before) / instances;

    int perKeyDivisor = derived > 0 ? derived : keys;
    return String.format(Locale.ROOT, "%s | %,d | %,d (%,d) | %s | %,d | %,d | %.1f | %,d (%d)",
        mount, fileBytes, keys, derived, reader.name(), unique, unique / perKeyDivisor,
        (double) unique / fileBytes, gcDelta, instances);
  }

  private static void close(Object reader) {
    if (reader instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /**
   * Returns {@code files} JSON files each holding one array of 1,000 one-digit numbers
   * ({@code {"l":[0,1,...]}}): two bytes of file per derived key ({@code file.l[0]}), the fewest
   * a JSON file can spend, so the highest heap-to-bytes ratio.
   */
  private static Map<String, String> jsonArrays(int files) {
    Map<String, String> result = new LinkedHashMap<>();
    for (int f = 0; f < files; f++) {
      StringBuilder json = new StringBuilder("{\"l\":[");
      for (int i = 0; i < 1_000; i++) {
        json.append(i > 0 ? "," : "").append(i % 10);
      }
      result.put(String.format(Locale.ROOT, "list-%02d.json", f), json.append("]}").toString());
    }
    return result;
  }

  /**
   * Returns {@code files} JSON files of 1,000 fields each. Typical: {@code "field-0000"} names,
   * 32-character values; minimal: base-36 names ({@code "0"} to {@code "rr"}), value {@code "v"}.
   */
  private static Map<String, String> jsonFiles(int files, boolean minimal) {
    SplittableRandom random = new SplittableRandom(7);
    Map<String, String> result = new LinkedHashMap<>();
    for (int f = 0; f < files; f++) {
      StringBuilder json = new StringBuilder("{");
      for (int i = 0; i < 1_000; i++) {
        if (i > 0) {
          json.append(',');
        }
        if (minimal) {
          json.append('"').append(Integer.toString(i, 36)).append("\":\"v\"");
        } else {
          json.append(String.format(Locale.ROOT, "\"field-%04d\":\"", i));
          for (int c = 0; c < 32; c++) {
            json.append((char) ('a' + random.nextInt(26)));
          }
          json.append('"');
        }
      }
      result.put(String.format(Locale.ROOT, "db-%02d.json", f), json.append('}').toString());
    }
    return result;
  }
}
