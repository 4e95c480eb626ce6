package io.github.mountedsecrets;

import static io.github.mountedsecrets.Hostile.closeAndCheckThreads;
import static io.github.mountedsecrets.Hostile.within;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.mountedsecrets.test.SecretsMount;
import io.github.mountedsecrets.test.SecretsMount.Layout;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code readTimeout} bounds the wait on one entry, not the whole read: a mount read slowly
 * but steadily (a starved node, a slow volume) loads however long the whole read takes, while
 * an entry that stalls still fails that reload in time, naming it. The slowness comes from the
 * reader's open hook, which every open passes through.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ReadProgressTest {
  private static final Duration READ_TIMEOUT = Duration.ofMillis(600);
  private static final int FILES = 40;
  /** Per open: a tenth of the timeout, so that the whole read takes several timeouts. */
  private static final long SLOW_OPEN_MILLIS = 60;

  @TempDir Path temp;

  private static Map<String, Object> files(String value) {
    Map<String, Object> files = new LinkedHashMap<>();
    for (int i = 0; i < FILES; i++) {
      files.put(String.format("SECRET_%02d", i), value + "-" + i);
    }
    return files;
  }

  private static void sleep(long millis) throws InterruptedIOException {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      throw new InterruptedIOException();
    }
  }

  @ParameterizedTest
  @EnumSource(Layout.class)
  void aSlowButSteadyReadLoadsPastReadTimeout(Layout layout) throws Exception {
    SecretsMount mount = SecretsMount.create(layout, temp.resolve("mount")).publish(files("v1"));
    AtomicInteger opens = new AtomicInteger();
    long start = System.nanoTime();
    MountedSecrets secrets = MountedSecrets.builder().directory(mount.directory()).watch(false)
        .quietPeriod(Duration.ofMillis(1)).readTimeout(READ_TIMEOUT)
        .openCheck(relative -> {
          opens.incrementAndGet();
          sleep(SLOW_OPEN_MILLIS);
        }).build();
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    // The whole read took several read timeouts, and nothing was cut off.
    assertThat(took).isGreaterThan(READ_TIMEOUT.multipliedBy(3));
    assertThat(opens.get()).isGreaterThanOrEqualTo(FILES);
    assertThat(secrets.snapshot().size()).isEqualTo(FILES);
    assertThat(secrets.get("SECRET_39")).isEqualTo("v1-39");
    assertThat(secrets.status().state()).isEqualTo(MountState.READY);

    mount.publish(files("v2"));
    // The mount's own watcher may be reading it at the same moment (reload() then finds the
    // lock held past readTimeout and returns false): read until the new values are served.
    within(Duration.ofSeconds(30), "reload() until v2 is served", () -> {
      while (!secrets.get("SECRET_00").equals("v2-0")) {
        secrets.reload();
      }
    });
    assertThat(secrets.get("SECRET_39")).isEqualTo("v2-39");
    assertThat(secrets.status().state()).isEqualTo(MountState.READY);
    closeAndCheckThreads(secrets);
  }

  @ParameterizedTest
  @EnumSource(Layout.class)
  void anEntryThatStallsAmongSteadyOnesFailsThatReloadNamingIt(Layout layout) throws Exception {
    SecretsMount mount = SecretsMount.create(layout, temp.resolve("mount")).publish(files("v1"));
    AtomicBoolean armed = new AtomicBoolean();
    CountDownLatch never = new CountDownLatch(1);
    MountedSecrets secrets = MountedSecrets.builder().directory(mount.directory()).watch(false)
        .quietPeriod(Duration.ofMillis(1)).readTimeout(READ_TIMEOUT)
        .openCheck(relative -> {
          if (!armed.get()) {
            return;
          }
          if (relative.equals("SECRET_20")) {
            try {
              never.await();
            } catch (InterruptedException e) {
              throw new InterruptedIOException();
            }
          }
          sleep(SLOW_OPEN_MILLIS);
        }).build();
    armed.set(true);
    mount.publish(files("v2"));

    long start = System.nanoTime();
    assertThat(within(Duration.ofSeconds(20), "reload()", secrets::reload)).isFalse();
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    // The stall was cut off no sooner than one timeout after it began. The reload thread's
    // first check may have begun reading the mount after the hook was armed, so the reload may
    // also have waited behind that read (and, finding it still stalled past readTimeout plus
    // the lock margin, returned without reading): either way, no sooner than readTimeout.
    assertThat(took).isGreaterThanOrEqualTo(READ_TIMEOUT);
    within(Duration.ofSeconds(20), "the stalled reload reported", () -> {
      while (secrets.status().state() != MountState.STALE) {
        secrets.reload();
      }
    });
    assertThat(secrets.status().failureReason()).get().asString()
        .contains("SECRET_20").contains("made no progress within readTimeout=PT0.6S");
    assertThat(secrets.get("SECRET_00")).isEqualTo("v1-0");

    armed.set(false);
    within(Duration.ofSeconds(20), "reload() until v2 is served", () -> {
      while (!secrets.get("SECRET_20").equals("v2-20")) {
        secrets.reload();
      }
    });
    assertThat(secrets.status().state()).isEqualTo(MountState.READY);
    never.countDown();
    closeAndCheckThreads(secrets);
  }
}
