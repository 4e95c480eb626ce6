package io.github.mountedsecrets;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * Tools for the hostile-mount tests: special files, names that are not UTF-8, bounded calls
 * that leave a stuck thread behind instead of hanging the test, and the library's threads.
 */
final class Hostile {
  /** Default bound of one read (the issue's {@code readTimeout} default) plus slack. */
  static final Duration RELOAD_BOUND = Duration.ofSeconds(10);
  /** How long {@code close()} may take (its listener wait plus slack). */
  static final Duration CLOSE_BOUND = Duration.ofSeconds(10);

  private Hostile() {}

  /** Runs a command and returns whether it exited 0 within 10 s. */
  static boolean run(String... command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return false;
      }
      return process.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Creates a FIFO; fails the test if {@code mkfifo} fails. */
  static Path mkfifo(Path path) {
    assertThat(run("mkfifo", path.toString())).as("mkfifo %s", path).isTrue();
    return path;
  }

  /**
   * Wakes every thread blocked opening the FIFO for reading: opens it for writing without
   * blocking (which succeeds only while a reader waits) and closes it at once, a few times.
   */
  static void unblockFifo(Path fifo) {
    String script = "import os,sys\n"
        + "for _ in range(20):\n"
        + "  try:\n"
        + "    os.close(os.open(sys.argv[1], os.O_WRONLY | os.O_NONBLOCK))\n"
        + "  except OSError:\n"
        + "    pass\n";
    run("python3", "-c", script, fifo.toString());
  }

  /** Creates a regular file whose name is given as raw bytes (possibly not UTF-8). */
  static void createFileWithRawName(Path dir, byte[] name, String content) {
    StringBuilder hex = new StringBuilder();
    for (byte b : name) {
      hex.append(String.format("%02x", b & 0xff));
    }
    String script = "import os,sys\n"
        + "d = os.fsencode(sys.argv[1])\n"
        + "p = os.path.join(d, bytes.fromhex(sys.argv[2]))\n"
        + "fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)\n"
        + "os.write(fd, sys.argv[3].encode())\n"
        + "os.close(fd)\n";
    assertThat(run("python3", "-c", script, dir.toString(), hex.toString(), content))
        .as("python3 creating a raw-named file in %s", dir).isTrue();
  }

  /** Live threads of the library that belong to the instance reading {@code dir}. */
  static List<Thread> libraryThreads(Path dir) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("mounted-secrets")
            && t.getName().contains(dir.toString()))
        .collect(Collectors.toList());
  }

  /** Describes threads with their top frames, for failure messages. */
  static String describe(List<Thread> threads) {
    StringBuilder sb = new StringBuilder();
    for (Thread t : threads) {
      sb.append(t.getName()).append(" (").append(t.getState()).append(")");
      StackTraceElement[] frames = t.getStackTrace();
      for (int i = 0; i < Math.min(6, frames.length); i++) {
        sb.append("\n    at ").append(frames[i]);
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  /** Thrown by {@link #within} when a call did not return within its bound. */
  static final class Stuck extends AssertionError {
    private static final long serialVersionUID = 1L;

    Stuck(String message) {
      super(message);
    }
  }

  /**
   * Runs a call on a fresh daemon thread and returns its result if it completes within the
   * bound. A call that takes longer is left running and reported as a {@link Stuck} failure
   * naming where the thread is; an exception of the call is rethrown as an assertion failure.
   */
  static <T> T within(Duration bound, String what, Callable<T> call) {
    CompletableFuture<T> future = new CompletableFuture<>();
    Thread thread = new Thread(() -> {
      try {
        future.complete(call.call());
      } catch (Throwable e) {
        future.completeExceptionally(e);
      }
    }, "hostile-caller: " + what);
    thread.setDaemon(true);
    long start = System.nanoTime();
    thread.start();
    try {
      return future.get(bound.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new Stuck(what + " did not return within " + bound + "; it is at:\n"
          + describe(List.of(thread)));
    } catch (ExecutionException e) {
      throw new AssertionError(what + " threw " + e.getCause() + " after "
          + Duration.ofNanos(System.nanoTime() - start), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for " + what, e);
    }
  }

  /** {@link #within} for a call without a result. */
  static void within(Duration bound, String what, ThrowingRunnable call) {
    within(bound, what, () -> {
      call.run();
      return null;
    });
  }

  /** A runnable that may throw. */
  @FunctionalInterface
  interface ThrowingRunnable {
    void run() throws Exception;
  }

  /** Closes the instance within {@link #CLOSE_BOUND} and checks that its threads are gone. */
  /**
   * Closes within the bound, then opens the FIFOs the test made (a reader blocked opening one
   * that was swapped in and out of the mount cannot be released by the library: Java has no
   * non-blocking open, and the entry it was opening no longer names that FIFO), then checks
   * that no thread of the instance is left.
   */
  static void closeReleaseAndCheckThreads(MountedSecrets secrets, java.util.List<Path> fifos) {
    Path dir = secrets.directory();
    within(CLOSE_BOUND, "close()", secrets::close);
    fifos.forEach(Hostile::unblockFifo);
    io.github.mountedsecrets.test.Await.until(Duration.ofSeconds(5),
        () -> libraryThreads(dir).isEmpty(),
        () -> "threads of the instance left after close():\n" + describe(libraryThreads(dir)));
  }

  static void closeAndCheckThreads(MountedSecrets secrets) {
    Path dir = secrets.directory();
    within(CLOSE_BOUND, "close()", secrets::close);
    io.github.mountedsecrets.test.Await.until(Duration.ofSeconds(5),
        () -> libraryThreads(dir).isEmpty(),
        () -> "threads of the instance left after close():\n" + describe(libraryThreads(dir)));
  }

  /** Asserts that no value of the snapshot contains the canary text. */
  static void assertNoCanary(SecretsSnapshot snapshot, String canary) {
    byte[] needle = canary.getBytes(StandardCharsets.UTF_8);
    for (String key : snapshot.keys()) {
      byte[] bytes = snapshot.bytes(key);
      assertThat(indexOf(bytes, needle)).as("value of key '%s' comes from outside the mount",
          Names.printable(key)).isEqualTo(-1);
      assertThat(key).as("a key names a file outside the mount").doesNotContain(canary);
    }
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** Replaces {@code link} with a symbolic link to {@code target} in one rename. */
  static void switchLink(Path link, Path target) throws IOException {
    Path tmp = link.resolveSibling(link.getFileName() + "_hostile_tmp");
    Files.deleteIfExists(tmp);
    Files.createSymbolicLink(tmp, target);
    Files.move(tmp, link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** Makes a directory tree readable by every user (directories 755, files 644). */
  static void openToEveryone(Path root) throws IOException {
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        if (attrs.isRegularFile()) {
          Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        }
        return FileVisitResult.CONTINUE;
      }
    });
  }

  /**
   * Copies the entries of this JVM's class path that a child JVM of the library needs into a
   * directory every user can read, and returns the class path naming the copies.
   */
  static String copyClassPath(Path into) throws IOException {
    List<String> copies = new ArrayList<>();
    int index = 0;
    for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
      Path source = Path.of(entry);
      String name = source.getFileName() == null ? "" : source.getFileName().toString();
      boolean wanted = Files.isDirectory(source) || name.startsWith("jackson-core")
          || name.startsWith("caffeine") || name.startsWith("slf4j-api")
          || name.startsWith("logback") || name.startsWith("mounted-secrets");
      if (!wanted || !Files.exists(source)) {
        continue;
      }
      Path target = into.resolve((index++) + "-" + name);
      copyTree(source, target);
      copies.add(target.toString());
    }
    openToEveryone(into);
    return String.join(java.io.File.pathSeparator, copies);
  }

  private static void copyTree(Path source, Path target) throws IOException {
    if (!Files.isDirectory(source)) {
      Files.copy(source, target);
      return;
    }
    Files.walkFileTree(source, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
        Files.createDirectories(target.resolve(source.relativize(dir).toString()));
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.copy(file, target.resolve(source.relativize(file).toString()),
            LinkOption.NOFOLLOW_LINKS);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  /** What a child JVM running {@link HostileMountChild} printed, and how it ended. */
  record ChildResult(int exitCode, List<String> lines) {
    String value(String prefix) {
      for (String line : lines) {
        if (line.startsWith(prefix + "=")) {
          return line.substring(prefix.length() + 1);
        }
      }
      throw new AssertionError("the child printed no " + prefix + "= line: " + lines);
    }
  }

  /**
   * Runs {@link HostileMountChild} on the mount in a child JVM, optionally through a wrapper
   * command (such as {@code setpriv ...}) and with extra environment variables, feeding it
   * the given commands one per line.
   */
  static ChildResult runChild(List<String> wrapper, java.util.Map<String, String> env,
      String classPath, Path mount, ChildSteps steps) throws Exception {
    List<String> command = new ArrayList<>(wrapper);
    command.addAll(Arrays.asList(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", classPath, "-Xmx128m", HostileMountChild.class.getName(), mount.toString()));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(env);
    Process process = builder.start();
    List<String> lines = new ArrayList<>();
    try (java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(
            process.getInputStream(), StandardCharsets.UTF_8));
        java.io.Writer in = new java.io.OutputStreamWriter(process.getOutputStream(),
            StandardCharsets.UTF_8)) {
      steps.run(new ChildSession(out, in, lines));
    }
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("child JVM did not exit; it printed " + lines);
    }
    return new ChildResult(process.exitValue(), lines);
  }

  /** The conversation with a child JVM. */
  @FunctionalInterface
  interface ChildSteps {
    void run(ChildSession session) throws Exception;
  }

  /** Sends commands to a child JVM and collects what it prints until {@code END}. */
  static final class ChildSession {
    private final java.io.BufferedReader out;
    private final java.io.Writer in;
    private final List<String> all;

    ChildSession(java.io.BufferedReader out, java.io.Writer in, List<String> all) {
      this.out = out;
      this.in = in;
      this.all = all;
    }

    /** Sends one command and returns the lines printed up to {@code END}. */
    ChildResult send(String command) throws IOException {
      in.write(command + "\n");
      in.flush();
      return read();
    }

    /** Returns the lines printed up to the next {@code END}. */
    ChildResult read() throws IOException {
      List<String> lines = new ArrayList<>();
      String line;
      while ((line = out.readLine()) != null) {
        all.add(line);
        if (line.equals("END")) {
          return new ChildResult(0, lines);
        }
        lines.add(line);
      }
      return new ChildResult(-1, lines);
    }
  }

  /** Writes a file, failing with an unchecked exception. */
  static void write(Path file, String content) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
