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

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
