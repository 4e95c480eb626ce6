package io.github.mountedsecrets;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mountedsecrets.test.Await;
import io.github.mountedsecrets.test.SecretsMount;
import io.github.mountedsecrets.test.SecretsMount.Layout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Rotation detected through the real WatchService (inotify) and through the poll. */
@Timeout(60)
class RotationTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path temp;

  private static Map<String, Object> pair(String user, String password) {
    Map<String, Object> files = new LinkedHashMap<>();
    files.put("DB_USER", user);
    files.put("DB_PASSWORD", password);
    files.put("prod-db", "{\"username\":\"" + user + "\",\"password\":\"" + password + "\"}");
    return files;
  }

  /**
   * The file-by-file writer flushes each file before renaming it: on a loaded machine a flush,
   * or the writer's thread, can stall longer than a short quiet period, and the mount is then
   * read half rotated (as documented). Tests that expect one event per rotation give that
   * layout a quiet period no stall in CI comes near.
   */
  private static final Duration FILE_BY_FILE_QUIET = Duration.ofSeconds(1);

  private static MountedSecrets watching(SecretsMount mount) {
    // A poll interval far beyond the test: only the WatchService can notice changes.
    return MountedSecrets.builder().directory(mount.directory()).pollInterval(Duration.ofHours(1))
        .quietPeriod(mount.layout() == Layout.FILE_BY_FILE ? FILE_BY_FILE_QUIET
            : Duration.ofMillis(50)).build();
  }

  @ParameterizedTest
  @EnumSource(Layout.class)
  void watchServiceDeliversOneEventPerRotation(Layout layout) throws Exception {
    SecretsMount mount = SecretsMount.create(layout, temp.resolve("m")).publish(pair("u1", "p1"));
    BlockingQueue<SecretsChangedEvent> events = new LinkedBlockingQueue<>();
    try (MountedSecrets secrets = watching(mount)) {
      secrets.onChange(events::add);
      mount.publish(pair("u2", "p2"));
      SecretsChangedEvent event = events.poll(10, TimeUnit.SECONDS);
      assertThat(event).as("event after rotation").isNotNull();
      assertThat(event.changed()).containsExactlyInAnyOrder("DB_USER", "DB_PASSWORD", "prod-db",
          "prod-db.username", "prod-db.password");
      assertThat(event.added()).isEmpty();
      assertThat(event.removed()).isEmpty();
      assertThat(event.previous().get("DB_USER")).isEqualTo("u1");
      assertThat(event.current().get("DB_USER")).isEqualTo("u2");
      assertThat(secrets.get("prod-db.password")).isEqualTo("p2");
      assertThat(event.toString()).doesNotContain("p2").contains("DB_PASSWORD");
      // No second event for the same rotation (one would come a quiet period after the first).
      assertThat(events.poll(1500, TimeUnit.MILLISECONDS)).isNull();
      assertThat(secrets.status().changes()).isEqualTo(1);
    }
  }

  @ParameterizedTest
  @EnumSource(Layout.class)
  void addedAndRemovedKeys(Layout layout) throws Exception {
    SecretsMount mount = SecretsMount.create(layout, temp.resolve("m")).publish(pair("u1", "p1"));
    BlockingQueue<SecretsChangedEvent> events = new LinkedBlockingQueue<>();
    try (MountedSecrets secrets = watching(mount)) {
      secrets.onChange(events::add);
      mount.put("API_KEY", "k1");
      SecretsChangedEvent added = events.poll(10, TimeUnit.SECONDS);
      assertThat(added).isNotNull();
      assertThat(added.added()).containsExactly("API_KEY");
      mount.remove("API_KEY");
      SecretsChangedEvent removed = events.poll(10, TimeUnit.SECONDS);
      assertThat(removed).isNotNull();
      assertThat(removed.removed()).containsExactly("API_KEY");
      assertThat(secrets.find("API_KEY")).isEmpty();
    }
  }

  @ParameterizedTest
  @EnumSource(Layout.class)
  void unchangedRewritesProduceNoEvent(Layout layout) throws Exception {
    SecretsMount mount = SecretsMount.create(layout, temp.resolve("m")).publish(pair("u1", "p1"));
    BlockingQueue<SecretsChangedEvent> events = new LinkedBlockingQueue<>();
    try (MountedSecrets secrets = watching(mount)) {
      secrets.onChange(events::add);
      long reloadsBefore = secrets.status().successfulReloads();
      for (int i = 0; i < 3; i++) {
        mount.rewriteUnchanged();
        mount.publish(pair("u1", "p1"));
      }
      if (layout == Layout.FILE_BY_FILE) {
        // The provider rewrote every file (new inodes): the library read them and found
        // nothing new.
        Await.until(WAIT, () -> secrets.status().successfulReloads() > reloadsBefore,
            () -> "a reload after the rewrite");
      }
      mount.put("MARKER", "m");
      SecretsChangedEvent event = events.poll(10, TimeUnit.SECONDS);
      assertThat(event).isNotNull();
      assertThat(event.keys()).containsExactly("MARKER");
      assertThat(secrets.snapshot().revision()).isEqualTo(2);
    }
  }

  @Test
  void fileByFileRotationOfTwoFilesIsOneEventAfterTheQuietPeriod() throws Exception {
    SecretsMount mount = SecretsMount.fileByFile(temp.resolve("m")).publish(pair("u1", "p1"));
    BlockingQueue<SecretsChangedEvent> events = new LinkedBlockingQueue<>();
    // A writer slower than an instant but faster than the quiet period.
    mount.onStep(step -> {
      if (step == SecretsMount.Step.FILE_RENAMED) {
        sleep(20);
      }
    });
    try (MountedSecrets secrets = MountedSecrets.builder().directory(mount.directory())
        .pollInterval(Duration.ofHours(1)).quietPeriod(FILE_BY_FILE_QUIET).build()) {
      secrets.onChange(events::add);
      mount.publish(pair("u2", "p2"));
      SecretsChangedEvent event = events.poll(10, TimeUnit.SECONDS);
      assertThat(event).isNotNull();
      assertThat(event.changed()).contains("DB_USER", "DB_PASSWORD", "prod-db.password");
      assertThat(events.poll(1500, TimeUnit.MILLISECONDS)).isNull();
    }
  }

  /**
   * A file-by-file writer that stalls between writing a temporary file and renaming it, longer
   * than the quiet period (a provider starved of CPU): the rotation is under way, and is read
   * once the writer finished, not half done.
   */
  @Test
  void aWriterStalledBeforeARenameIsWaitedForNotReadHalfDone() throws Exception {
    SecretsMount mount = SecretsMount.fileByFile(temp.resolve("m")).publish(pair("u1", "p1"));
    BlockingQueue<SecretsChangedEvent> events = new LinkedBlockingQueue<>();
    AtomicInteger written = new AtomicInteger();
    mount.onStep(step -> {
      if (step == SecretsMount.Step.TEMP_FILE_WRITTEN && written.incrementAndGet() == 2) {
        sleep(500); // Five quiet periods, within MAX_UNSETTLED_READS of them.
      }
    });
    try (MountedSecrets secrets = MountedSecrets.builder().directory(mount.directory())
        .pollInterval(Duration.ofHours(1)).quietPeriod(Duration.ofMillis(100)).build()) {
      secrets.onChange(events::add);
      mount.publish(pair("u2", "p2"));
      SecretsChangedEvent event = events.poll(10, TimeUnit.SECONDS);
      assertThat(event).isNotNull();
      assertThat(event.changed()).containsExactlyInAnyOrder("DB_USER", "DB_PASSWORD", "prod-db",
          "prod-db.username", "prod-db.password");
      assertThat(events.poll(1, TimeUnit.SECONDS)).isNull();
    }
  }

  /** A temporary file a writer left long ago is skipped and holds up no read. */
  @Test
  void aTemporaryFileLeftLongAgoHoldsUpNothing() throws Exception {
    SecretsMount mount = SecretsMount.fileByFile(temp.resolve("m")).publish(pair("u1", "p1"));
    Path leftover = mount.directory().resolve("DB_PASSWORD1234567");
    Files.writeString(leftover, "half");
    Files.setLastModifiedTime(leftover, FileTime.from(Instant.now().minusSeconds(60)));
    try (MountedSecrets secrets = MountedSecrets.builder().directory(mount.directory())
        .watch(false).pollInterval(Duration.ofHours(1)).quietPeriod(Duration.ofMinutes(1))
        .build()) {
      // A young one would hold the first read for MAX_UNSETTLED_READS quiet periods.
      assertThat(secrets.snapshot().keys()).doesNotContain("DB_PASSWORD1234567");
      assertThat(secrets.get("DB_PASSWORD")).isEqualTo("p1");
      mount.publish(pair("u2", "p2"));
      assertThat(secrets.reload()).isTrue();
      assertThat(secrets.get("DB_PASSWORD")).isEqualTo("p2");
    }
  }

  @Test
  void temporaryFilesOfAnInProgressWriteNeverSurface() throws Exception {
    SecretsMount mount = SecretsMount.fileByFile(temp.resolve("m")).publish(pair("u1", "p1"));
    List<SecretsSnapshot> seenMidWrite = Collections.synchronizedList(new ArrayList<>());
    try (MountedSecrets secrets = MountedSecrets.builder().directory(mount.directory())
        .pollInterval(Duration.ofHours(1)).quietPeriod(Duration.ofMillis(20)).build()) {
      mount.onStep(step -> {
        if (step == SecretsMount.Step.TEMP_FILE_WRITTEN) {
          secrets.reload();
          seenMidWrite.add(secrets.snapshot());
        }
      });
      mount.publish(pair("u2", "p2"));
      mount.put("NEW_KEY", "brand new");
      assertThat(seenMidWrite).isNotEmpty();
      for (SecretsSnapshot snapshot : seenMidWrite) {
        assertThat(snapshot.keys()).allMatch(k -> k.equals("NEW_KEY") || !k.matches(".*\\d{6,}$"),
            "no temporary file as a key");
        assertThat(snapshot.keys()).noneMatch(k -> k.startsWith("NEW_KEY") && !k.equals("NEW_KEY"));
      }
      Await.until(WAIT, () -> secrets.find("NEW_KEY").isPresent(), () -> "NEW_KEY loaded");
      assertThat(secrets.snapshot().keys()).containsExactlyInAnyOrder("DB_USER", "DB_PASSWORD",
          "prod-db", "prod-db.username", "prod-db.password", "NEW_KEY");
    }
  }

  @ParameterizedTest
  @EnumSource(Layout.class)
  void pollAloneDetectsRotationWhenWatchingIsOff(Layout layout) throws Exception {
    SecretsMount mount = SecretsMount.create(layout, temp.resolve("m")).publish(pair("u1", "p1"));
    CountDownLatch changed = new CountDownLatch(1);
    try (MountedSecrets secrets = MountedSecrets.builder().directory(mount.directory())
        .watch(false).pollInterval(Duration.ofMillis(100)).quietPeriod(Duration.ofMillis(10))
        .build()) {
      secrets.onChange(e -> changed.countDown());
      mount.publish(pair("u2", "p2"));
      assertThat(changed.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(secrets.get("DB_USER")).isEqualTo("u2");
    }
  }

  @Test
  void keyAndPrefixSubscriptionsAndUnsubscribe() throws Exception {
    SecretsMount mount = SecretsMount.atomicWriter(temp.resolve("m")).publish(pair("u1", "p1"));
    List<String> calls = Collections.synchronizedList(new ArrayList<>());
    try (MountedSecrets secrets = watching(mount)) {
      secrets.onChange("API_KEY", e -> calls.add("key"));
      secrets.onChangeUnder("prod-db.", e -> calls.add("prefix"));
      Subscription all = secrets.onChange(e -> calls.add("all"));
      mount.put("API_KEY", "k");
      Await.until(WAIT, () -> calls.contains("all"), () -> "first event");
      assertThat(calls).containsExactly("key", "all");
      calls.clear();
      all.close();
      all.close();
      Map<String, Object> next = pair("u1", "p2");
      next.put("API_KEY", "k");
      mount.publish(next);
      Await.until(WAIT, () -> calls.contains("prefix"), () -> "prefix event");
      assertThat(calls).containsExactly("prefix");
    }
  }

  @Test
  void listenersRunInOrderOnOneDaemonThreadAndAFailingOneDoesNotStopTheOthers() throws Exception {
    SecretsMount mount = SecretsMount.atomicWriter(temp.resolve("m")).publish(pair("u1", "p1"));
    List<String> calls = Collections.synchronizedList(new ArrayList<>());
    List<Thread> threads = Collections.synchronizedList(new ArrayList<>());
    try (LogCapture logs = LogCapture.capture(); MountedSecrets secrets = watching(mount)) {
      secrets.onChange(e -> {
        calls.add("first");
        threads.add(Thread.currentThread());
        throw new IllegalStateException("boom");
      });
      secrets.onChange(e -> {
        calls.add("second");
        threads.add(Thread.currentThread());
      });
      mount.publish(pair("u2", "p2"));
      Await.until(WAIT, () -> calls.size() == 2, () -> "both listeners");
      assertThat(calls).containsExactly("first", "second");
      assertThat(threads).allMatch(Thread::isDaemon)
          .allMatch(t -> t.getName().equals("mounted-secrets-events[" + mount.directory() + "]"));
      assertThat(logs.warnings()).anyMatch(m -> m.startsWith(mount.directory() + ": change listener")
          && m.contains("IllegalStateException"));
    }
  }

  @Test
  void aSlowListenerNeverBlocksReaders() throws Exception {
    SecretsMount mount = SecretsMount.atomicWriter(temp.resolve("m")).publish(pair("u1", "p1"));
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch entered = new CountDownLatch(1);
    try (MountedSecrets secrets = watching(mount)) {
      secrets.onChange(e -> {
        entered.countDown();
        try {
          release.await();
        } catch (InterruptedException ex) {
          Thread.currentThread().interrupt();
        }
      });
      mount.publish(pair("u2", "p2"));
      assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
      // The listener is stuck; reads and further reloads go on.
      assertThat(secrets.get("DB_USER")).isEqualTo("u2");
      mount.publish(pair("u3", "p3"));
      Await.until(WAIT, () -> secrets.get("DB_USER").equals("u3"), () -> "third generation");
      release.countDown();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
