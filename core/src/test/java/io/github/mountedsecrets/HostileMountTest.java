package io.github.mountedsecrets;

import static io.github.mountedsecrets.Hostile.RELOAD_BOUND;
import static io.github.mountedsecrets.Hostile.assertNoCanary;
import static io.github.mountedsecrets.Hostile.closeAndCheckThreads;
import static io.github.mountedsecrets.Hostile.within;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.mountedsecrets.test.Await;
import io.github.mountedsecrets.test.SecretsMount;
import io.github.mountedsecrets.test.SecretsMount.Layout;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Attacks on the reader by class of failure (issue 9), written against today's public API.
 * Each test states the intended behaviour; see {@code HostileMountPendingTest} for those that
 * need the options the fix adds ({@code readTimeout}, JSON limits, {@code substitutedKeys},
 * {@code MountState.STOPPED}).
 *
 * <p>Tests that can block on today's code run under a separate-thread time-out, and calls
 * that may block go through {@link Hostile#within}, which leaves a stuck call behind and
 * fails instead of hanging.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HostileMountTest {
  private static final String CANARY = "CANARY-outside-7f3a9c";
  private static final Duration WAIT = Duration.ofSeconds(15);
  /** Files swapped by the race tests: more files, more chances to hit the window. */
  private static final int VICTIMS = 8;

  @TempDir Path temp;

  private Path mountDir() {
    return temp.resolve("mount");
  }

  private static MountedSecrets.Builder manual(Path dir) {
    return MountedSecrets.builder().directory(dir).watch(false).pollInterval(Duration.ofHours(1))
        .quietPeriod(Duration.ofMinutes(1));
  }

  private static Map<String, Object> files(Object... nameValue) {
    Map<String, Object> files = new LinkedHashMap<>();
    for (int i = 0; i < nameValue.length; i += 2) {
      files.put((String) nameValue[i], nameValue[i + 1]);
    }
    return files;
  }

  /** An outside directory holding files named like the mount's keys, all with the canary. */
  private Path outsideWithCanary() throws IOException {
    Path outside = Files.createDirectories(temp.resolve("outside"));
    for (String name : List.of("KEY", "OTHER", "inner", "canary.txt")) {
      Files.writeString(outside.resolve(name), CANARY);
    }
    Files.writeString(temp.resolve("canary.txt"), CANARY);
    return outside;
  }

  private static boolean reloadWithin(MountedSecrets secrets) {
    return within(RELOAD_BOUND, "reload()", secrets::reload);
  }

  // =======================================================================================
  // Class 1: escapes through ..data

  /**
   * {@code ..data} switched to something that is not a generation directory directly inside
   * the mount: the reload fails, the mount reads as STALE with a reason naming
   * {@code ..data}, the last snapshot stays and nothing from outside is served.
   */
  @ParameterizedTest(name = "..data -> {0}")
  @ValueSource(strings = {"..evil", "..", ".", "..data", "..link-to-generation", "../outside"})
  void dataMayOnlyNameAGenerationDirectoryInsideTheMount(String target) throws Exception {
    Path outside = outsideWithCanary();
    SecretsMount mount = SecretsMount.atomicWriter(mountDir()).publish(files("KEY", "k-1", "OTHER", "o-1"));
    Path dir = mount.directory();
    Files.createSymbolicLink(dir.resolve("..evil"), Path.of("..", outside.getFileName().toString()));
    Files.createSymbolicLink(dir.resolve("..link-to-generation"), Path.of(mount.generation().orElseThrow()));
    try (MountedSecrets secrets = manual(dir).build()) {
      Hostile.switchLink(dir.resolve("..data"), Path.of(target));
      reloadWithin(secrets);

      assertNoCanary(secrets.snapshot(), CANARY);
      assertThat(secrets.snapshot().keys()).containsExactlyInAnyOrder("KEY", "OTHER");
      assertThat(secrets.get("KEY")).isEqualTo("k-1");
      assertThat(secrets.status().state()).isEqualTo(MountState.STALE);
      assertThat(secrets.status().failureReason()).get().asString().contains("..data");
    }
  }

  /** The same at startup: nothing from outside is ever served, whatever build() does. */
  @ParameterizedTest(name = "..data -> {0} at startup")
  @ValueSource(strings = {"..evil", ".."})
  void anEscapingDataLinkAtStartupServesNothingFromOutside(String target) throws Exception {
    Path outside = outsideWithCanary();
    Path dir = Files.createDirectories(mountDir());
    Files.createSymbolicLink(dir.resolve("..evil"), Path.of("..", outside.getFileName().toString()));
    Files.createSymbolicLink(dir.resolve("..data"), Path.of(target));
    Files.createSymbolicLink(dir.resolve("KEY"), Path.of("..data/KEY"));
    MountedSecrets secrets;
    try {
      secrets = within(RELOAD_BOUND, "build()", () -> manual(dir).build());
    } catch (AssertionError e) {
      if (e.getCause() instanceof MountedSecretsException) {
        assertThat(e.getCause().getMessage()).doesNotContain(CANARY).contains("..data");
        return;
      }
      throw e;
    }
    try (secrets) {
      assertNoCanary(secrets.snapshot(), CANARY);
      assertThat(secrets.status().state()).isNotEqualTo(MountState.READY);
    }
  }

  /** A generation whose subdirectory is a link out of the mount is never listed. */
  @Test
  void aGenerationSubdirectoryLinkedOutsideIsNeverListed() throws Exception {
    Path outside = outsideWithCanary();
    SecretsMount mount = SecretsMount.atomicWriter(mountDir())
        .publish(files("sub/inner", "i-1", "OTHER", "o-1"));
    try (MountedSecrets secrets = manual(mount.directory()).build()) {
      Path generation = mount.directory().resolve(mount.generation().orElseThrow());
      Path sub = generation.resolve("sub");
      Files.delete(sub.resolve("inner"));
      Files.delete(sub);
      Files.createSymbolicLink(sub, outside);
      reloadWithin(secrets);
      assertNoCanary(secrets.snapshot(), CANARY);
      assertThat(secrets.status().invalidFiles()).containsKey("sub");
    }
  }

  // =======================================================================================
  // Class 2: check, then open (races) — and class 3 when a race makes a read block

  enum Swap {
    /** A FIFO is renamed over a regular file and back. */
    FIFO,
    /** A link to a file outside the mount is renamed over a regular file and back. */
    OUTSIDE_FILE_LINK,
    /** A directory is moved away and a link to an outside directory put in its place. */
    OUTSIDE_DIRECTORY_LINK
  }

  static Stream<Arguments> layoutsAndSwaps() {
    List<Arguments> arguments = new ArrayList<>();
    for (Layout layout : Layout.values()) {
      for (Swap swap : Swap.values()) {
        arguments.add(Arguments.of(layout, swap));
      }
    }
    return arguments.stream();
  }

  /**
   * Swaps hostile entries in and out in a tight loop while reload() runs again and again for
   * a few seconds. Asserted: no value from outside is ever served, no reload takes longer
   * than the bound, no exception escapes reload(), and close() returns within its bound
   * leaving no thread behind.
   */
  @ParameterizedTest(name = "{0}, {1}")
  @MethodSource("layoutsAndSwaps")
  void swappingEntriesBetweenCheckAndOpenNeverLeaksNorBlocks(Layout layout, Swap swap)
      throws Exception {
    Path outside = outsideWithCanary();
    Path staging = Files.createDirectories(temp.resolve("staging"));
    Path fifo = Hostile.mkfifo(staging.resolve("fifo"));
    Map<String, Object> content = files("KEY", "k-1", "OTHER", "o-1", "sub/inner", "i-1");
    for (int i = 0; i < VICTIMS; i++) {
      content.put("K" + i, "v-" + i);
    }
    SecretsMount mount = SecretsMount.create(layout, mountDir()).publish(content);
    Path victims = layout == Layout.ATOMIC_WRITER
        ? mount.directory().resolve(mount.generation().orElseThrow()) : mount.directory();
    MountedSecrets secrets = manual(mount.directory()).quietPeriod(Duration.ofMillis(1)).build();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<Throwable> swapperFailure = new AtomicReference<>();
    Thread swapper = new Thread(() -> {
      try {
        swapLoop(swap, victims, staging, fifo, outside, stop);
      } catch (Throwable e) {
        swapperFailure.set(e);
      }
    }, "hostile-swapper");
    swapper.setDaemon(true);
    List<String> problems = new ArrayList<>();
    int reloads = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    swapper.start();
    try {
      while (System.nanoTime() < deadline && problems.isEmpty()) {
        try {
          reloadWithin(secrets);
          reloads++;
        } catch (Hostile.Stuck e) {
          problems.add("after " + reloads + " reloads: " + e.getMessage());
        } catch (AssertionError e) {
          problems.add("reload() threw: " + e.getCause());
        }
        try {
          assertNoCanary(secrets.snapshot(), CANARY);
        } catch (AssertionError e) {
          problems.add("after " + reloads + " reloads: " + e.getMessage());
        }
      }
    } finally {
      stop.set(true);
      swapper.join(TimeUnit.SECONDS.toMillis(10));
      Hostile.unblockFifo(fifo);
    }
    assertThat(swapperFailure.get()).as("the swapper itself failed").isNull();
    assertThat(problems).as("%s reloads ran", reloads).isEmpty();
    closeAndCheckThreads(secrets);
  }

  private static void swapLoop(Swap swap, Path victims, Path staging, Path fifo, Path outside,
      AtomicBoolean stop) throws IOException {
    Path tmp = staging.resolve("tmp");
    Path away = staging.resolve("away");
    while (!stop.get()) {
      switch (swap) {
        case FIFO:
        case OUTSIDE_FILE_LINK:
          for (int i = 0; i < VICTIMS; i++) {
            Path victim = victims.resolve("K" + i);
            Files.deleteIfExists(tmp);
            if (swap == Swap.FIFO) {
              Files.createLink(tmp, fifo);
            } else {
              Files.createSymbolicLink(tmp, outside.resolve("canary.txt"));
            }
            Files.move(tmp, victim, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            Files.writeString(tmp, "v-" + i);
            Files.move(tmp, victim, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
          }
          break;
        case OUTSIDE_DIRECTORY_LINK:
          Path sub = victims.resolve("sub");
          Files.move(sub, away, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
          Files.deleteIfExists(tmp);
          Files.createSymbolicLink(tmp, outside);
          Files.move(tmp, sub, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
          Files.move(sub, tmp, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
          Files.move(away, sub, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
          Files.delete(tmp);
          break;
        default:
          throw new IllegalStateException();
      }
    }
  }

  /**
   * {@code ..data} pointing at a FIFO never blocks build() nor a reload; the reason says the
   * target is not a directory.
   */
  @Test
  void dataPointingAtAFifoNeverBlocks() throws Exception {
    SecretsMount mount = SecretsMount.atomicWriter(mountDir()).publish(files("KEY", "k-1"));
    Path dir = mount.directory();
    Path fifo = Hostile.mkfifo(dir.resolve("..fifo"));
    try {
      try (MountedSecrets secrets = manual(dir).build()) {
        Hostile.switchLink(dir.resolve("..data"), Path.of("..fifo"));
        reloadWithin(secrets);
        assertThat(secrets.get("KEY")).isEqualTo("k-1");
        assertThat(secrets.status().state()).isEqualTo(MountState.STALE);
        assertThat(secrets.status().failureReason()).get().asString()
            .contains("..data").doesNotContain("moved");
      }
      // At startup, too.
      try {
        MountedSecrets fresh = within(RELOAD_BOUND, "build()", () -> manual(dir).build());
        fresh.close();
      } catch (AssertionError e) {
        if (!(e.getCause() instanceof MountedSecretsException)) {
          throw e;
        }
      }
    } finally {
      Hostile.unblockFifo(fifo);
    }
  }

  // =======================================================================================
  // Class 3: a blocked read blocks everything (simulated with the reader's opener seam)

  /** An opener that blocks on one file name while armed, until interrupted. */
  private static OpenCheck blockingOn(String name, AtomicBoolean armed,
      AtomicInteger blocked) {
    return relative -> {
      if (armed.get() && relative.equals(name)) {
        blocked.incrementAndGet();
        try {
          new CountDownLatch(1).await();
        } catch (InterruptedException e) {
          throw new InterruptedIOException("interrupted");
        }
      }
    };
  }

  /**
   * A read that does not complete fails that reload within the bound: STALE, a reason naming
   * the entry, the previous snapshot kept; the next reload is not stuck behind it; close()
   * returns within its bound and leaves no thread.
   */
  @ParameterizedTest
  @EnumSource(Layout.class)
  void aBlockedReadFailsThatReloadWithinTheBound(Layout layout) throws Exception {
    SecretsMount mount = SecretsMount.create(layout, mountDir())
        .publish(files("SLOW", "s-1", "OTHER", "o-1"));
    AtomicBoolean armed = new AtomicBoolean();
    AtomicInteger blocked = new AtomicInteger();
    MountedSecrets secrets = manual(mount.directory()).quietPeriod(Duration.ofMillis(1))
        .openCheck(blockingOn("SLOW", armed, blocked)).build();
    armed.set(true);
    mount.publish(files("SLOW", "s-2", "OTHER", "o-2"));

    reloadWithin(secrets);
    assertThat(blocked.get()).as("the read of SLOW was attempted").isPositive();
    assertThat(secrets.get("SLOW")).isEqualTo("s-1");
    assertThat(secrets.get("OTHER")).isEqualTo("o-1");
    assertThat(secrets.status().state()).isEqualTo(MountState.STALE);
    assertThat(secrets.status().failureReason()).get().asString().contains("SLOW");

    reloadWithin(secrets); // Not stuck behind the first one.
    armed.set(false);
    reloadWithin(secrets);
    assertThat(secrets.get("SLOW")).isEqualTo("s-2");
    assertThat(secrets.get("OTHER")).isEqualTo("o-2");
    assertThat(secrets.status().state()).isEqualTo(MountState.READY);
    closeAndCheckThreads(secrets);
  }

  /** The watcher's own reload is bounded too: the state turns STALE, then recovers. */
  @Test
  void theWatcherIsNotStuckBehindABlockedRead() throws Exception {
    SecretsMount mount = SecretsMount.atomicWriter(mountDir()).publish(files("SLOW", "s-1", "OTHER", "o-1"));
    AtomicBoolean armed = new AtomicBoolean();
    AtomicInteger blocked = new AtomicInteger();
    MountedSecrets secrets = MountedSecrets.builder().directory(mount.directory())
        .pollInterval(Duration.ofMillis(100)).openCheck(blockingOn("SLOW", armed, blocked)).build();
    try {
      armed.set(true);
      mount.publish(files("SLOW", "s-2", "OTHER", "o-2"));
      Await.until(WAIT, () -> secrets.status().state() == MountState.STALE,
          () -> "STALE after a blocked read; status " + secrets.status() + "\n"
              + Hostile.describe(Hostile.libraryThreads(mount.directory())));
      assertThat(secrets.status().failureReason()).get().asString().contains("SLOW");
      assertThat(secrets.get("OTHER")).isEqualTo("o-1");
      armed.set(false);
      mount.publish(files("SLOW", "s-3", "OTHER", "o-3"));
      Await.until(WAIT, () -> secrets.find("OTHER").orElse("").equals("o-3"),
          () -> "the watcher picks up the next rotation; status " + secrets.status());
      assertThat(secrets.get("SLOW")).isEqualTo("s-3");
    } finally {
      closeAndCheckThreads(secrets);
    }
  }

  // =======================================================================================
  // Class 4: errors kill threads silently

  /** A clock that throws an Error while armed, to raise one inside the reload loop. */
  private static final class ThrowingClock extends Clock {
    final AtomicInteger throwsLeft = new AtomicInteger();
    final AtomicInteger thrown = new AtomicInteger();
    volatile Supplier<Error> error = StackOverflowError::new;

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      if (throwsLeft.getAndUpdate(n -> n > 0 ? n - 1 : n) > 0) {
        thrown.incrementAndGet();
        throw error.get();
      }
      return Instant.now();
    }
  }

  static Stream<Arguments> errors() {
    return Stream.of(
        Arguments.of("StackOverflowError", (Supplier<Error>) StackOverflowError::new),
        Arguments.of("OutOfMemoryError", (Supplier<Error>) () -> new OutOfMemoryError("Java heap space")),
        Arguments.of("NoClassDefFoundError", (Supplier<Error>) () -> new NoClassDefFoundError("x/Y")));
  }

  /** One Error inside the reload loop is reported and the loop goes on. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("errors")
  void anErrorInTheReloadLoopIsReportedAndTheLoopGoesOn(String type, Supplier<Error> error)
      throws Exception {
    SecretsMount mount = SecretsMount.atomicWriter(mountDir()).publish(files("A", "1"));
    ThrowingClock clock = new ThrowingClock();
    clock.error = error;
    try (LogCapture logs = LogCapture.capture();
        MountedSecrets secrets = MountedSecrets.builder().directory(mount.directory())
            .pollInterval(Duration.ofMillis(100)).clock(clock).build()) {
      clock.throwsLeft.set(1);
      mount.put("A", "2");
      Await.until(WAIT, () -> clock.thrown.get() > 0, () -> "the reload thread met the error");
      mount.put("A", "3");
      Await.until(WAIT, () -> secrets.find("A").orElse("").equals("3"),
          () -> "reloads go on after a " + type + "; threads: "
              + Hostile.describe(Hostile.libraryThreads(mount.directory())));
      assertThat(secrets.status().state()).isEqualTo(MountState.READY);
      assertThat(logs.warnings()).as("a WARN or ERROR names the %s", type)
          .anyMatch(line -> line.startsWith(mount.directory() + ":") && line.contains(type));
    }
  }

  /** An Error every time: the loop cannot go on, and the status must not claim READY. */
  @Test
  void aPersistentErrorIsVisibleInTheStatus() throws Exception {
    SecretsMount mount = SecretsMount.atomicWriter(mountDir()).publish(files("A", "1"));
    ThrowingClock clock = new ThrowingClock();
    clock.error = () -> new OutOfMemoryError("Java heap space");
    try (MountedSecrets secrets = MountedSecrets.builder().directory(mount.directory())
        .pollInterval(Duration.ofMillis(100)).clock(clock).build()) {
      clock.throwsLeft.set(Integer.MAX_VALUE);
      mount.put("A", "2");
      Await.until(WAIT, () -> secrets.status().state() != MountState.READY
              && secrets.status().failureReason().orElse("").contains("OutOfMemoryError"),
          () -> "status reports the error; status " + secrets.status());
      assertThat(secrets.get("A")).isEqualTo("1");
    }
  }

  private static int recurse(int depth) {
    return recurse(depth + 1) + 1;
  }

  /** A listener's Error, even a real stack overflow, never stops the other listeners. */
  @ParameterizedTest
  @ValueSource(strings = {"real stack overflow", "OutOfMemoryError", "StackOverflowError"})
  void aListenersErrorNeverStopsOtherListeners(String kind) throws Exception {
    SecretsMount mount = SecretsMount.atomicWriter(mountDir()).publish(files("A", "1"));
    List<SecretsChangedEvent> received = new CopyOnWriteArrayList<>();
    AtomicInteger failing = new AtomicInteger();
    try (MountedSecrets secrets = manual(mount.directory()).build()) {
      secrets.onChange(event -> {
        failing.incrementAndGet();
        switch (kind) {
          case "real stack overflow":
            recurse(0);
            break;
          case "OutOfMemoryError":
            throw new OutOfMemoryError("Java heap space");
          default:
            throw new StackOverflowError();
        }
      });
      secrets.onChange(received::add);
      mount.put("A", "2");
      secrets.reload();
      mount.put("A", "3");
      secrets.reload();
      Await.until(WAIT, () -> received.size() == 2,
          () -> "the second listener received both events; it got " + received.size()
              + ", the failing one was called " + failing.get() + " times");
      assertThat(failing.get()).isEqualTo(2);
    }
  }

  // =======================================================================================
  // Class 7: a vanishing mount is not a list of removals

  /**
   * An atomic-writer mount taken apart entry by entry ({@code ..data} first, then the links,
   * then the generation) reads as STALE with the last snapshot kept, and no event reports a
   * removal; when the mount comes back, its content is read again.
   */
  @Test
  void aMountTakenApartIsStaleNotRemovals() throws Exception {
    SecretsMount mount = SecretsMount.atomicWriter(mountDir())
        .publish(files("A", "a-1", "B", "b-1", "C", "c-1", "sub/D", "d-1"));
    Path dir = mount.directory();
    String generation = mount.generation().orElseThrow();
    List<SecretsChangedEvent> events = new CopyOnWriteArrayList<>();
    try (MountedSecrets secrets = manual(dir).build()) {
      secrets.onChange(events::add);
      List<String> steps = new ArrayList<>();
      Runnable check = () -> {
        reloadWithin(secrets);
        String step = steps.get(steps.size() - 1);
        assertThat(secrets.snapshot().keys()).as("keys after %s", step)
            .containsExactlyInAnyOrder("A", "B", "C", "sub/D");
        assertThat(secrets.get("A")).isEqualTo("a-1");
        assertThat(secrets.status().state()).as("state after %s", step).isEqualTo(MountState.STALE);
      };
      steps.add("removing ..data");
      Files.delete(dir.resolve("..data"));
      check.run();
      for (String link : List.of("A", "B", "C", "sub")) {
        steps.add("removing link " + link);
        Files.delete(dir.resolve(link));
        check.run();
      }
      steps.add("removing the generation");
      Hostile.run("rm", "-rf", dir.resolve(generation).toString());
      check.run();

      SecretsMount again = SecretsMount.atomicWriter(dir)
          .publish(files("A", "a-2", "B", "b-1", "C", "c-1", "sub/D", "d-1"));
      assertThat(again.generation()).isPresent();
      reloadWithin(secrets);
      assertThat(secrets.get("A")).isEqualTo("a-2");
      assertThat(secrets.status().state()).isEqualTo(MountState.READY);
      Await.until(WAIT, () -> events.stream().anyMatch(e -> e.changed().contains("A")),
          () -> "the change event of A");
      assertThat(events).as("events while the mount was taken apart and came back")
          .allSatisfy(e -> assertThat(e.removed()).isEmpty());
    }
  }

  // =======================================================================================
  // Class 8: substitution mixes generations

  /** An atomic-writer generation is served as written: an empty file is the empty string. */
  @Test
  void anEmptyFileInANewGenerationIsNotMixedWithTheOldOne() throws Exception {
    SecretsMount mount = SecretsMount.atomicWriter(mountDir())
        .publish(files("DB_USER", "user-1", "DB_PASSWORD", "password-1"));
    try (MountedSecrets secrets = manual(mount.directory()).build()) {
      mount.publish(files("DB_USER", "user-2", "DB_PASSWORD", ""));
      reloadWithin(secrets);
      assertThat(secrets.get("DB_USER")).isEqualTo("user-2");
      assertThat(secrets.get("DB_PASSWORD")).isEqualTo("");
      DatabaseCredentials credentials;
      try {
        credentials = secrets.databaseCredentials("DB_USER", "DB_PASSWORD");
      } catch (RuntimeException e) {
        return; // refusing an empty password is fine; pairing it with the old one is not
      }
      assertThat(credentials.username()).isEqualTo("user-2");
      assertThat(credentials.password()).as("password of the same generation").isEqualTo("");
    }
  }

  // =======================================================================================
  // Smaller findings

  @Test
  void aDanglingDataLinkIsReportedAsDangling() throws Exception {
    SecretsMount mount = SecretsMount.atomicWriter(mountDir()).publish(files("KEY", "k-1"));
    try (MountedSecrets secrets = manual(mount.directory()).build()) {
      Hostile.switchLink(mount.directory().resolve("..data"), Path.of("..2020_01_01_00_00_00.1"));
      reloadWithin(secrets);
      assertThat(secrets.get("KEY")).isEqualTo("k-1");
      assertThat(secrets.status().state()).isEqualTo(MountState.STALE);
      assertThat(secrets.status().failureReason()).get().asString()
          .contains("dangling").doesNotContain("moved");
    }
  }

  @Test
  void aDirectoryReplacingAFileIsReported() throws Exception {
    SecretsMount mount = SecretsMount.fileByFile(mountDir()).publish(files("KEY", "k-1", "OTHER", "o-1"));
    try (MountedSecrets secrets = manual(mount.directory()).build()) {
      Files.delete(mount.directory().resolve("KEY"));
      Files.createDirectory(mount.directory().resolve("KEY"));
      reloadWithin(secrets);
      assertThat(secrets.status().invalidFiles()).containsKey("KEY");
      assertThat(secrets.get("OTHER")).isEqualTo("o-1");
    }
  }

  @ParameterizedTest
  @EnumSource(Layout.class)
  void twoJsonFieldsFlatteningToTheSameKeyAreReported(Layout layout) {
    SecretsMount mount = SecretsMount.create(layout, mountDir()).publish(files(
        "cfg", "{\"a.b\":\"dotted-value-91\",\"a\":{\"b\":\"nested-value-92\"}}", "OTHER", "o-1"));
    try (LogCapture logs = LogCapture.capture(); MountedSecrets secrets = manual(mount.directory()).build()) {
      assertThat(secrets.status().invalidFiles()).containsKey("cfg");
      assertThat(secrets.status().invalidFiles().get("cfg")).contains("cfg.a.b")
          .doesNotContain("dotted-value-91", "nested-value-92");
      assertThat(logs.warnings()).anyMatch(line -> line.contains("'cfg'") && line.contains("cfg.a.b"));
      assertThat(logs.everything()).doesNotContain("dotted-value-91", "nested-value-92");
    }
  }

  @ParameterizedTest
  @EnumSource(Layout.class)
  void aUtf8ByteOrderMarkIsStrippedFromTextButKeptInBytes(Layout layout) {
    byte[] bom = {(byte) 0xef, (byte) 0xbb, (byte) 0xbf};
    byte[] text = concat(bom, "s3cret\n".getBytes(StandardCharsets.UTF_8));
    byte[] json = concat(bom, "{\"username\":\"app\"}".getBytes(StandardCharsets.UTF_8));
    SecretsMount mount = SecretsMount.create(layout, mountDir()).publish(files("TEXT", text, "DB", json));
    try (MountedSecrets secrets = manual(mount.directory()).build()) {
      assertThat(secrets.get("TEXT")).isEqualTo("s3cret");
      assertThat(secrets.getBytes("TEXT")).isEqualTo(text);
      assertThat(secrets.get("DB")).isEqualTo("{\"username\":\"app\"}");
      assertThat(secrets.get("DB.username")).isEqualTo("app");
      assertThat(secrets.getBytes("DB")).isEqualTo(json);
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /**
   * A plain file that changes while it is read (appended to between its listing and its
   * reading, every time) is never served as read, not even after the reader stops waiting
   * for the writer: it keeps its last good value and is reported; once the writer stops,
   * its final value is served.
   */
  @Test
  void aFileChangingWhileItIsReadKeepsItsLastGoodValue() throws Exception {
    Path dir = Files.createDirectories(mountDir());
    Path file = dir.resolve("VALUE");
    Files.writeString(dir.resolve("OTHER"), "o-1");
    Files.writeString(file, "v0:complete");
    AtomicBoolean appending = new AtomicBoolean();
    OpenCheck appendWhileReading = relative -> {
      if (appending.get() && relative.equals("VALUE")) {
        Files.writeString(file, ":more", StandardOpenOption.APPEND);
      }
    };
    try (MountedSecrets secrets = manual(dir).quietPeriod(Duration.ofMillis(1))
        .openCheck(appendWhileReading).build()) {
      appending.set(true);
      Files.writeString(dir.resolve("OTHER"), "o-2");
      for (int i = 0; i < 2 * Reloader.MAX_UNSETTLED_READS; i++) {
        reloadWithin(secrets);
        assertThat(secrets.get("VALUE")).isEqualTo("v0:complete");
      }
      assertThat(secrets.get("OTHER")).isEqualTo("o-2");
      assertThat(secrets.status().invalidFiles()).containsOnlyKeys("VALUE");
      assertThat(secrets.status().invalidFiles().get("VALUE")).contains("kept changing");
      assertThat(secrets.snapshot().substitutedKeys()).containsExactly("VALUE");

      appending.set(false);
      String last = Files.readString(file);
      reloadWithin(secrets);
      assertThat(secrets.get("VALUE")).isEqualTo(last);
      assertThat(secrets.status().invalidFiles()).isEmpty();
      assertThat(secrets.snapshot().substitutedKeys()).isEmpty();
    }
  }

  /**
   * A listener that ignores interrupts: close() still returns within its bound, says which
   * listener it left running, and the event thread ends as soon as the listener returns.
   */
  @Test
  void aListenerIgnoringInterruptsDoesNotHoldClose() throws Exception {
    SecretsMount mount = SecretsMount.atomicWriter(mountDir()).publish(files("A", "1"));
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    MountedSecrets secrets = manual(mount.directory()).build();
    try (LogCapture logs = LogCapture.capture()) {
      secrets.onChange(new StubbornListener(entered, release));
      mount.put("A", "2");
      secrets.reload();
      assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
      within(Hostile.CLOSE_BOUND, "close()", secrets::close);
      assertThat(logs.warnings()).as("a WARN names the listener still running")
          .anyMatch(line -> line.contains(StubbornListener.class.getName()));
    } finally {
      release.countDown();
    }
    Await.until(Duration.ofSeconds(5), () -> Hostile.libraryThreads(mount.directory()).isEmpty(),
        () -> "event thread ends once the listener returns");
  }

  /** Blocks until released, swallowing interrupts. */
  private static final class StubbornListener implements SecretsChangeListener {
    private final CountDownLatch entered;
    private final CountDownLatch release;

    StubbornListener(CountDownLatch entered, CountDownLatch release) {
      this.entered = entered;
      this.release = release;
    }

    @Override
    public void onChange(SecretsChangedEvent event) {
      entered.countDown();
      while (true) {
        try {
          if (release.await(60, TimeUnit.SECONDS)) {
            return;
          }
        } catch (InterruptedException ignored) {
          // deliberately ignored: this listener is the adversary
        }
      }
    }
  }

  // =======================================================================================
  // Class 6 in this JVM: a name that is not UTF-8

  /** A name that cannot be decoded is skipped and listed; everything else loads and rotates. */
  @ParameterizedTest
  @EnumSource(Layout.class)
  void aFileNameThatIsNotUtf8IsSkippedAndListed(Layout layout) throws Exception {
    SecretsMount mount = SecretsMount.create(layout, mountDir()).publish(files("OTHER", "o-1", "KEY", "k-1"));
    Path where = layout == Layout.ATOMIC_WRITER
        ? mount.directory().resolve(mount.generation().orElseThrow()) : mount.directory();
    Hostile.createFileWithRawName(where, new byte[] {'b', 'a', 'd', (byte) 0xff, 'x'}, "raw-1");
    MountedSecrets secrets = within(RELOAD_BOUND, "build()",
        () -> manual(mount.directory()).quietPeriod(Duration.ofMillis(10)).build());
    try (secrets) {
      assertThat(secrets.snapshot().keys()).contains("OTHER", "KEY");
      assertThat(secrets.status().state()).isEqualTo(MountState.READY);
      assertThat(secrets.status().invalidFiles()).hasSize(1);
      mount.put("OTHER", "o-2");
      if (layout == Layout.ATOMIC_WRITER) {
        Path next = mount.directory().resolve(mount.generation().orElseThrow());
        Hostile.createFileWithRawName(next, new byte[] {'b', 'a', 'd', (byte) 0xff, 'x'}, "raw-2");
      }
      reloadWithin(secrets);
      assertThat(secrets.get("OTHER")).isEqualTo("o-2");
      assertThat(secrets.status().invalidFiles()).hasSize(1);
    }
  }
}
