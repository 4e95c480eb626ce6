package io.github.mountedsecrets.benchmarks;

import io.github.mountedsecrets.test.SecretsMount;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Creates and removes the mounts the benchmarks read.
 *
 * <p>Mounts are written under {@code /dev/shm} when it is a writable directory (the CSI
 * driver's mount is tmpfs too), else under {@code java.io.tmpdir}. The system property
 * {@code bench.dir} overrides that; JMH does not pass the host JVM's properties to its forks,
 * so give it with {@code -jvmArgsAppend -Dbench.dir=...}.
 */
final class BenchMounts {
  private static final char[] ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

  private BenchMounts() {}

  /** Returns the name of secret number {@code i}: {@code app-secret-00042}. */
  static String name(int i) {
    return String.format("app-secret-%05d", i);
  }

  /**
   * Returns {@code count} secrets with 32-character random values, always the same ones.
   *
   * @param count how many
   * @return names to values, in name order
   */
  static Map<String, String> secrets(int count) {
    SplittableRandom random = new SplittableRandom(42);
    Map<String, String> files = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      char[] value = new char[32];
      for (int c = 0; c < value.length; c++) {
        value[c] = ALPHABET[random.nextInt(ALPHABET.length)];
      }
      files.put(name(i), new String(value));
    }
    return files;
  }

  /**
   * Creates a fresh empty directory for one mount.
   *
   * @return a new directory under the base directory
   */
  static Path newWorkDirectory() {
    try {
      return Files.createTempDirectory(baseDirectory(), "mounted-secrets-bench-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Creates a mount of the given layout holding {@code count} secrets.
   *
   * @param layout the writer to imitate
   * @param work a directory from {@link #newWorkDirectory()}
   * @param count how many secrets
   * @return the mount, already published once
   */
  static SecretsMount populated(SecretsMount.Layout layout, Path work, int count) {
    SecretsMount mount = SecretsMount.create(layout, work.resolve("mount"));
    mount.publish(secrets(count));
    return mount;
  }

  static Path baseDirectory() {
    String configured = System.getProperty("bench.dir");
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured);
    }
    Path shm = Path.of("/dev/shm");
    if (Files.isDirectory(shm) && Files.isWritable(shm)) {
      return shm;
    }
    return Path.of(System.getProperty("java.io.tmpdir"));
  }

  /**
   * Deletes a directory tree without following links.
   *
   * @param root the tree, may be null
   */
  static void delete(Path root) {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
