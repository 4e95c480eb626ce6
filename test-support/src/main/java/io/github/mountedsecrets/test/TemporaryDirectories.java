package io.github.mountedsecrets.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Temporary directories for mounts that outlive a single test, such as the mount of a Quarkus
 * test resource or of a static test configuration, where JUnit's {@code @TempDir} does not
 * reach: each is deleted, with everything in it, when the JVM exits.
 *
 * <p>Symbolic links are deleted, never followed, so a link that points out of the directory
 * (as a test of a broken mount may leave behind) never deletes anything outside it.
 */
public final class TemporaryDirectories {
  private static final List<Path> CREATED = new CopyOnWriteArrayList<>();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(TemporaryDirectories::deleteAll,
        "mounted-secrets-test-cleanup"));
  }

  private TemporaryDirectories() {
  }

  /**
   * Creates a new directory under {@code java.io.tmpdir}, deleted when the JVM exits.
   *
   * @param prefix the start of its name
   * @return the new, empty directory
   * @throws UncheckedIOException if it cannot be created
   */
  public static Path create(String prefix) {
    try {
      Path directory = Files.createTempDirectory(prefix);
      CREATED.add(directory);
      return directory;
    } catch (IOException e) {
      throw new UncheckedIOException("could not create a temporary directory", e);
    }
  }

  private static void deleteAll() {
    for (Path directory : CREATED) {
      delete(directory);
    }
  }

  /**
   * Deletes a directory tree now, without following symbolic links; missing files are ignored
   * and a file that cannot be deleted is skipped.
   *
   * @param directory the tree's root
   * @return true if nothing of the tree is left
   */
  public static boolean delete(Path directory) {
    if (!Files.exists(directory, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return true;
    }
    try {
      Files.walkFileTree(directory, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
          deleteQuietly(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) {
          deleteQuietly(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path dir, IOException e) {
          deleteQuietly(dir);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      // Best effort: what could not be deleted stays.
    }
    return !Files.exists(directory, java.nio.file.LinkOption.NOFOLLOW_LINKS);
  }

  private static void deleteQuietly(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      // Best effort.
    }
  }
}
