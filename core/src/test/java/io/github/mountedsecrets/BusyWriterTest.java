package io.github.mountedsecrets;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mountedsecrets.test.Await;
import io.github.mountedsecrets.test.SecretsMount;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writers that never settle: a file touched without end must not hold a rotation back without
 * bound, and a startup waiting for a busy writer must not start without the mount when its
 * thread is interrupted.
 */
@Timeout(60)
class BusyWriterTest {
  @TempDir
  Path temp;

  /**
   * An interrupt while build() waits for a young temporary file (FirstRead's unsettled loop)
   * made build() return normally, with the mount required, and nothing read: zero keys.
   */
  @Test
  void anInterruptDuringTheStartupWaitDoesNotStartWithoutTheMount() throws Exception {
    Map<String, Object> files = new LinkedHashMap<>();
    files.put("DB_PASSWORD", "pw");
    SecretsMount mount = SecretsMount.fileByFile(temp.resolve("m")).publish(files);
    Files.writeString(mount.directory().resolve("DB_PASSWORD1234567"), "half"); // young
    CompletableFuture<Object> result = new CompletableFuture<>();
    Thread builder = new Thread(() -> {
      try {
        MountedSecrets secrets = MountedSecrets.builder().directory(mount.directory())
            .watch(false).pollInterval(Duration.ofHours(1)).quietPeriod(Duration.ofSeconds(2))
            .build();
        result.complete(secrets);
      } catch (Throwable e) {
        result.complete(e);
      }
    });
    builder.start();
    Thread.sleep(500); // within the first quiet period's sleep
    builder.interrupt();
    Object outcome = result.get(30, TimeUnit.SECONDS);
    if (outcome instanceof MountedSecrets secrets) {
      try (secrets) {
        // Started: then with the mount read, as requireMount(true) promises.
        assertThat(secrets.snapshot().keys()).containsExactly("DB_PASSWORD");
      }
    } else {
      assertThat(outcome).isInstanceOf(MountedSecretsException.class);
    }
  }

  /**
   * A file touched more often than the quiet period (here a writer's temporary file beside
   * OTHER, rewritten every 30 ms) pushes the watcher's quiet period back at every event: a
   * real rotation of DB_USER is not read for as long as the touching goes on, without bound.
   */
  @Test
  void aConstantlyTouchedFileDoesNotHoldARotationBackWithoutBound() throws Exception {
    Map<String, Object> files = new LinkedHashMap<>();
    files.put("DB_USER", "u1");
    files.put("OTHER", "o");
    SecretsMount mount = SecretsMount.fileByFile(temp.resolve("m")).publish(files);
    Path toucher = mount.directory().resolve("OTHER1234567");
    try (MountedSecrets secrets = MountedSecrets.builder().directory(mount.directory())
        .pollInterval(Duration.ofMillis(300)).quietPeriod(Duration.ofMillis(100)).build()) {
      AtomicBoolean touching = new AtomicBoolean(true);
      Thread t = new Thread(() -> {
        int i = 0;
        while (touching.get()) {
          try {
            Files.writeString(toucher, "x" + i++);
          } catch (IOException e) {
            return;
          }
          sleep(30);
        }
      });
      t.start();
      try {
        files.put("DB_USER", "u2");
        mount.publish(files);
        // MAX_UNSETTLED_READS quiet periods and a poll are 1.3 s; give it 8 s.
        Await.until(Duration.ofSeconds(8),
            () -> "u2".equals(secrets.get("DB_USER")), () -> "u2 read; status " + secrets.status());
      } finally {
        touching.set(false);
        t.join();
      }
    }
  }

  private static MountedSecrets.Builder manual(Path dir) {
    // No watch service, no poll within the test; a quiet period that would hold a waiting
    // startup for minutes.
    return MountedSecrets.builder().directory(dir).watch(false).pollInterval(Duration.ofHours(1))
        .quietPeriod(Duration.ofMinutes(1));
  }

  /**
   * Reads that find a writer busy are repeated at most MAX_UNSETTLED_READS times in a row; a
   * read that ends otherwise (here: the mount went away) starts the count again, so that the
   * next change is waited for as long as any other.
   */
  @Test
  void aReadThatEndsOtherwiseGivesTheNextChangeItsFullCountOfRereads() throws Exception {
    Path dir = temp.resolve("m");
    SecretsMount.fileByFile(dir).publish(Map.of("DB_PASSWORD", "pw-1"));
    try (MountedSecrets secrets = manual(dir).requireMount(true).build()) {
      Files.writeString(dir.resolve("DB_PASSWORD1234567"), "half"); // a writer busy
      for (int i = 0; i < 5; i++) {
        assertThat(secrets.reload()).as("read %d with the writer busy", i + 1).isFalse();
      }
      deleteTree(dir);
      assertThat(secrets.reload()).isFalse();
      assertThat(secrets.status().failureReason()).hasValue("not mounted");

      SecretsMount.fileByFile(dir).publish(Map.of("DB_PASSWORD", "pw-2"));
      Files.writeString(dir.resolve("DB_PASSWORD7654321"), "half"); // busy again
      int limit = Reloader.MAX_UNSETTLED_READS;
      for (int i = 1; i < limit; i++) {
        assertThat(secrets.reload()).as("read %d of %d with the writer busy", i, limit).isFalse();
        assertThat(secrets.get("DB_PASSWORD")).isEqualTo("pw-1");
      }
      assertThat(secrets.reload()).as("read %d: what is there is taken", limit).isTrue();
      assertThat(secrets.get("DB_PASSWORD")).isEqualTo("pw-2");
    }
  }

  /** Writers create regular files: a directory named like a temporary file holds up nothing. */
  @Test
  void aDirectoryNamedLikeATemporaryFileHoldsUpNothing() throws Exception {
    Path dir = temp.resolve("m");
    SecretsMount.fileByFile(dir).publish(Map.of("certs/tls.crt", "c"));
    Files.createDirectories(dir.resolve("certs1234567"));
    // A young temporary file would hold this startup for MAX_UNSETTLED_READS minutes.
    try (MountedSecrets secrets = manual(dir).build()) {
      assertThat(secrets.get("certs/tls.crt")).isEqualTo("c");
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (java.util.stream.Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
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
