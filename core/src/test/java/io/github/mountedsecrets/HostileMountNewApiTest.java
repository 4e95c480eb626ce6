package io.github.mountedsecrets;

import static io.github.mountedsecrets.Hostile.closeAndCheckThreads;
import static io.github.mountedsecrets.Hostile.within;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.mountedsecrets.test.Await;
import io.github.mountedsecrets.test.SecretsMount;
import io.github.mountedsecrets.test.SecretsMount.Layout;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Attacks of issue 9 on the API the fix added: {@code readTimeout(Duration)},
 * {@code maxJsonKeysPerFile(int)}, {@code maxJsonKeys(int)}, {@code maxJsonDepth(int)},
 * {@code SecretsSnapshot.substitutedKeys()} and {@code MountState.STOPPED}.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HostileMountNewApiTest {
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(1);
  /** readTimeout plus 5 s of slack, as the brief asks. */
  private static final Duration BOUND = READ_TIMEOUT.plusSeconds(5);
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final String CANARY = "CANARY-outside-pending-41";

  @TempDir Path temp;

  private Path mountDir() {
    return temp.resolve("mount");
  }

  private static MountedSecrets.Builder manual(Path dir) {
    return MountedSecrets.builder().directory(dir).watch(false).pollInterval(Duration.ofHours(1))
        .quietPeriod(Duration.ofMillis(1)).readTimeout(READ_TIMEOUT);
  }

  private static Map<String, Object> files(Object... nameValue) {
    Map<String, Object> files = new LinkedHashMap<>();
    for (int i = 0; i < nameValue.length; i += 2) {
      files.put((String) nameValue[i], nameValue[i + 1]);
    }
    return files;
  }

  // ---------------------------------------------------------------------------------------
  // readTimeout

  @Test
  void readTimeoutIsValidatedAndNamedInItsMessage() {
    assertThat(MountedSecrets.builder().readTimeout(Duration.ofMillis(1))).isNotNull();
    assertThatThrownBy(() -> MountedSecrets.builder().readTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("readTimeout must be between 1 ms and 10 minutes, but was PT0S");
    assertThatThrownBy(() -> MountedSecrets.builder().readTimeout(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("readTimeout");
    assertThatThrownBy(() -> MountedSecrets.builder().readTimeout(null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("readTimeout");
  }

  /** A read blocked past readTimeout fails that reload in time, names the entry, recovers. */
  @ParameterizedTest
  @EnumSource(Layout.class)
  void aReadBlockedPastReadTimeoutFailsThatReload(Layout layout) throws Exception {
    SecretsMount mount = SecretsMount.create(layout, mountDir()).publish(files("SLOW", "s-1", "OTHER", "o-1"));
    AtomicBoolean armed = new AtomicBoolean();
    MountedSecrets secrets = manual(mount.directory()).openCheck(relative -> {
      if (armed.get() && relative.equals("SLOW")) {
        try {
          new CountDownLatch(1).await();
        } catch (InterruptedException e) {
          throw new InterruptedIOException();
        }
      }
    }).build();
    armed.set(true);
    mount.publish(files("SLOW", "s-2", "OTHER", "o-2"));
    long start = System.nanoTime();
    within(BOUND, "reload()", secrets::reload);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(READ_TIMEOUT.minusMillis(50));
    assertThat(secrets.status().state()).isEqualTo(MountState.STALE);
    assertThat(secrets.status().failureReason()).get().asString().contains("SLOW").contains("readTimeout");
    assertThat(secrets.get("SLOW")).isEqualTo("s-1");
    assertThat(secrets.get("OTHER")).isEqualTo("o-1");
    within(BOUND, "second reload()", secrets::reload);
    armed.set(false);
    // Recovery is a read without a stall; a machine too busy for one readTimeout may need
    // another.
    for (int i = 0; i < 3 && secrets.status().state() != MountState.READY; i++) {
      within(BOUND, "reload() after the stall", secrets::reload);
    }
    assertThat(secrets.get("OTHER")).isEqualTo("o-2");
    assertThat(secrets.status().state()).isEqualTo(MountState.READY);
    closeAndCheckThreads(secrets);
  }

  /**
   * A real FIFO swapped over a file in a tight loop (no seam): every reload returns within
   * readTimeout + 5 s, and when one did block, the mount reads STALE naming the file, a later
   * reload recovers, close() returns within its bound, and no thread is left once the FIFO
   * is unblocked.
   */
  @ParameterizedTest
  @EnumSource(Layout.class)
  void aRealFifoRaceIsBoundedByReadTimeout(Layout layout) throws Exception {
    Path staging = Files.createDirectories(temp.resolve("staging"));
    Path fifo = Hostile.mkfifo(staging.resolve("fifo"));
    SecretsMount mount = SecretsMount.create(layout, mountDir())
        .publish(files("K0", "v-0", "K1", "v-1", "OTHER", "o-1"));
    Path victims = layout == Layout.ATOMIC_WRITER
        ? mount.directory().resolve(mount.generation().orElseThrow()) : mount.directory();
    MountedSecrets secrets = manual(mount.directory()).build();
    AtomicBoolean stop = new AtomicBoolean();
    Thread swapper = new Thread(() -> {
      Path tmp = staging.resolve("tmp");
      try {
        while (!stop.get()) {
          for (int i = 0; i < 2; i++) {
            Files.deleteIfExists(tmp);
            Files.createLink(tmp, fifo);
            Files.move(tmp, victims.resolve("K" + i), StandardCopyOption.ATOMIC_MOVE);
            Files.writeString(tmp, "v-" + i);
            Files.move(tmp, victims.resolve("K" + i), StandardCopyOption.ATOMIC_MOVE);
          }
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, "hostile-swapper");
    swapper.setDaemon(true);
    swapper.start();
    boolean sawStale = false;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
    try {
      while (System.nanoTime() < deadline) {
        within(BOUND, "reload()", secrets::reload);
        if (secrets.status().state() == MountState.STALE) {
          sawStale = true;
          assertThat(secrets.status().failureReason()).get().asString().containsAnyOf("K0", "K1");
        }
      }
    } finally {
      stop.set(true);
      swapper.join(10_000);
    }
    for (int i = 0; i < 3 && (i == 0 || secrets.status().state() != MountState.READY); i++) {
      within(BOUND, "reload() after the race", secrets::reload);
    }
    assertThat(secrets.status().state()).as("recovered (saw STALE during the race: %s)", sawStale)
        .isEqualTo(MountState.READY);
    assertThat(secrets.get("K0")).isEqualTo("v-0");
    // close() must return within its bound even with a read stuck in open(); a thread blocked
    // in open() on a FIFO cannot be interrupted from Java, so the FIFO is unblocked before the
    // threads are counted.
    within(Hostile.CLOSE_BOUND, "close()", secrets::close);
    Hostile.unblockFifo(fifo);
    closeAndCheckThreads(secrets);
  }

  // ---------------------------------------------------------------------------------------
  // JSON limits

  private static String numbersArray(int count) {
    StringJoiner joiner = new StringJoiner(",", "{\"a\":[", "]}");
    for (int i = 0; i < count; i++) {
      joiner.add("0");
    }
    return joiner.toString();
  }

  private static String fields(int count) {
    StringJoiner joiner = new StringJoiner(",", "{", "}");
    for (int i = 0; i < count; i++) {
      joiner.add("\"f" + i + "\":\"v" + i + "\"");
    }
    return joiner.toString();
  }

  @ParameterizedTest
  @EnumSource(Layout.class)
  void overMaxJsonKeysPerFileTheRawTextIsServedAndTheFieldsAreNot(Layout layout) {
    String big = numbersArray(1000);
    SecretsMount mount = SecretsMount.create(layout, mountDir()).publish(files("big", big, "small", fields(3)));
    try (LogCapture logs = LogCapture.capture();
        MountedSecrets secrets = manual(mount.directory()).maxJsonKeysPerFile(100).build()) {
      assertThat(secrets.get("big")).isEqualTo(big);
      assertThat(secrets.snapshot().keys()).noneMatch(k -> k.startsWith("big."));
      assertThat(secrets.get("small.f2")).isEqualTo("v2");
      assertThat(secrets.status().invalidFiles()).containsKey("big");
      assertThat(secrets.status().invalidFiles().get("big")).contains("maxJsonKeysPerFile");
      assertThat(logs.warnings()).anyMatch(w -> w.contains("'big'") && w.contains("maxJsonKeysPerFile"));
    }
  }

  @Test
  void overMaxJsonKeysInTotalSomeFileLosesItsFieldsAndIsNamed() {
    SecretsMount mount = SecretsMount.fileByFile(mountDir())
        .publish(files("one", fields(100), "two", fields(100), "three", fields(100)));
    try (MountedSecrets secrets = manual(mount.directory()).maxJsonKeys(250).build()) {
      long fieldKeys = secrets.snapshot().keys().stream().filter(k -> k.contains(".")).count();
      assertThat(fieldKeys).isLessThanOrEqualTo(250);
      assertThat(secrets.snapshot().keys()).contains("one", "two", "three");
      assertThat(secrets.status().invalidFiles().values()).anyMatch(r -> r.contains("maxJsonKeys"));
    }
  }

  @Test
  void overMaxJsonDepthTheRawTextIsServedAndTheFieldsAreNot() {
    String deep = "{\"a\":{\"b\":{\"c\":{\"d\":\"x\"}}}}";
    SecretsMount mount = SecretsMount.fileByFile(mountDir()).publish(files("deep", deep, "flat", "{\"u\":\"v\"}"));
    try (LogCapture logs = LogCapture.capture();
        MountedSecrets secrets = manual(mount.directory()).maxJsonDepth(3).build()) {
      assertThat(secrets.get("deep")).isEqualTo(deep);
      assertThat(secrets.snapshot().keys()).noneMatch(k -> k.startsWith("deep."));
      assertThat(secrets.get("flat.u")).isEqualTo("v");
      assertThat(secrets.status().invalidFiles().get("deep")).contains("maxJsonDepth");
      assertThat(logs.warnings()).anyMatch(w -> w.contains("'deep'") && w.contains("maxJsonDepth"));
    }
  }

  @Test
  void jsonLimitsAreValidated() {
    assertThatThrownBy(() -> MountedSecrets.builder().maxJsonKeysPerFile(-1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxJsonKeysPerFile").hasMessageContaining("-1");
    assertThatThrownBy(() -> MountedSecrets.builder().maxJsonKeys(-1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxJsonKeys").hasMessageContaining("-1");
    assertThatThrownBy(() -> MountedSecrets.builder().maxJsonDepth(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxJsonDepth").hasMessageContaining("0");
  }

  /** With the defaults, the issue's 5 MiB array of numbers no longer becomes 2.6 million keys. */
  @Test
  void theDefaultsBoundTheIssuesArrayOfNumbers() {
    String huge = numbersArray(5 * 1024 * 1024 / 2);
    SecretsMount mount = SecretsMount.fileByFile(mountDir()).publish(files("huge", huge));
    try (MountedSecrets secrets = manual(mount.directory()).maxFileSize(8L * 1024 * 1024).build()) {
      assertThat(secrets.snapshot().size()).isLessThan(100_000);
      assertThat(secrets.get("huge")).hasSize(huge.length());
      assertThat(secrets.status().invalidFiles().get("huge")).contains("maxJsonKeys");
    }
  }

  // ---------------------------------------------------------------------------------------
  // substitutedKeys

  @Test
  void fileByFileSubstitutionIsVisibleInSubstitutedKeys() throws Exception {
    SecretsMount mount = SecretsMount.fileByFile(mountDir()).publish(files("KEY", "k-1", "OTHER", "o-1"));
    try (MountedSecrets secrets = manual(mount.directory()).build()) {
      assertThat(secrets.snapshot().substitutedKeys()).isEmpty();
      mount.put("KEY", "");
      secrets.reload();
      assertThat(secrets.get("KEY")).isEqualTo("k-1");
      assertThat(secrets.snapshot().substitutedKeys()).containsExactly("KEY");
      mount.put("KEY", "k-2");
      secrets.reload();
      assertThat(secrets.get("KEY")).isEqualTo("k-2");
      assertThat(secrets.snapshot().substitutedKeys()).isEmpty();
    }
  }

  @Test
  void atomicGenerationsAreServedAsWrittenWithNothingSubstituted() throws Exception {
    SecretsMount mount = SecretsMount.atomicWriter(mountDir())
        .publish(files("DB_USER", "user-1", "DB_PASSWORD", "password-1"));
    try (MountedSecrets secrets = manual(mount.directory()).build()) {
      mount.publish(files("DB_USER", "user-2", "DB_PASSWORD", ""));
      secrets.reload();
      assertThat(secrets.get("DB_PASSWORD")).isEqualTo("");
      assertThat(secrets.snapshot().substitutedKeys()).isEmpty();
    }
  }

  // ---------------------------------------------------------------------------------------
  // STOPPED

  /** A clock that always throws an Error, raising one in every reload. */
  private static final class BrokenClock extends Clock {
    volatile boolean broken;

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
      if (broken) {
        throw new OutOfMemoryError("Java heap space");
      }
      return Instant.now();
    }
  }

  @Test
  void anErrorInEveryReloadIsNeverReportedAsReady() throws Exception {
    assertThat(MountState.valueOf("STOPPED")).isEqualTo(MountState.STOPPED);
    SecretsMount mount = SecretsMount.atomicWriter(mountDir()).publish(files("A", "1"));
    BrokenClock clock = new BrokenClock();
    try (MountedSecrets secrets = MountedSecrets.builder().directory(mount.directory())
        .pollInterval(Duration.ofMillis(100)).clock(clock).build()) {
      clock.broken = true;
      mount.put("A", "2");
      Await.until(WAIT, () -> secrets.status().state() == MountState.STALE
              || secrets.status().state() == MountState.STOPPED,
          () -> "STALE or STOPPED; status " + secrets.status());
      assertThat(secrets.status().failureReason()).get().asString().contains("OutOfMemoryError");
      List<MountState> seen = new ArrayList<>();
      seen.add(secrets.status().state());
      if (seen.get(0) == MountState.STALE) {
        clock.broken = false;
        mount.put("A", "3");
        Await.until(WAIT, () -> secrets.find("A").orElse("").equals("3"), () -> "recovered");
      }
    }
  }
}
