package io.github.mountedsecrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.github.mountedsecrets.test.Await;
import io.github.mountedsecrets.test.SecretsMount;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Startup with and without a mount, a mount that disappears and returns, and close(). */
@Timeout(60)
class MountLifecycleTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path temp;

  @Test
  void missingMountFailsFastWithTheLikelyCauses() {
    Path missing = temp.resolve("secrets-store");
    assertThatThrownBy(() -> MountedSecrets.builder().directory(missing).build())
        .isInstanceOf(MountNotFoundException.class)
        .hasMessageStartingWith("Secrets mount " + missing + " does not exist.")
        .hasMessageContaining("volumeMounts")
        .hasMessageContaining("mountPath")
        .hasMessageContaining("subPath")
        .hasMessageContaining("(set the builder's directory to the mountPath)")
        .hasMessageEndingWith("set the builder's requireMount to false.");
    assertThat(libraryThreads()).isEmpty();
  }

  @Test
  void theMissingMountMessageNamesTheOptionsAsTheApplicationSpellsThem() {
    Path missing = temp.resolve("secrets-store");
    MountNotFoundException e = catchThrowableOfType(MountNotFoundException.class,
        () -> MountedSecrets.builder().directory(missing).build());
    Function<MountedSecretsOption, String> names = option -> "app.secrets." + option.propertyName();
    assertThat(e.messageFor(names))
        .contains("(set app.secrets.directory to the mountPath)")
        .endsWith("set app.secrets.require-mount to false.")
        .doesNotContain("builder");
    MountNotFoundException renamed = e.withOptionNames(names);
    assertThat(renamed).hasMessage(e.messageFor(names));
    assertThat(renamed.directory()).isEqualTo(missing);
    assertThat(renamed.getStackTrace()).isEqualTo(e.getStackTrace());
  }

  @Test
  void aSingleFileMountIsReportedAsALikelySubPath() throws IOException {
    Path file = Files.writeString(temp.resolve("DB_PASSWORD"), "x");
    assertThatThrownBy(() -> MountedSecrets.builder().directory(file).build())
        .isInstanceOf(MountNotFoundException.class)
        .hasMessageContaining("is a single file, not a directory")
        .hasMessageContaining("subPath");
  }

  @Test
  void startsEmptyAndPicksTheMountUpWhenItAppears() throws Exception {
    Path dir = temp.resolve("later");
    BlockingQueue<SecretsChangedEvent> events = new LinkedBlockingQueue<>();
    try (MountedSecrets secrets = MountedSecrets.builder().directory(dir).requireMount(false)
        .pollInterval(Duration.ofMillis(100)).build()) {
      secrets.onChange(events::add);
      assertThat(secrets.snapshot().keys()).isEmpty();
      assertThat(secrets.status().state()).isEqualTo(MountState.MISSING);
      assertThatThrownBy(() -> secrets.get("DB_PASSWORD"))
          .isInstanceOf(SecretNotFoundException.class)
          .hasMessageContaining("nothing is mounted there yet");

      SecretsMount.atomicWriter(dir).publish(Map.of("DB_PASSWORD", "p1"));
      SecretsChangedEvent event = events.poll(10, TimeUnit.SECONDS);
      assertThat(event).isNotNull();
      assertThat(event.added()).containsExactly("DB_PASSWORD");
      assertThat(secrets.get("DB_PASSWORD")).isEqualTo("p1");
      assertThat(secrets.status().state()).isEqualTo(MountState.READY);
      assertThat(secrets.status().layout()).isEqualTo(MountLayout.ATOMIC_WRITER);
    }
  }

  @Test
  void aMountThatDisappearsKeepsTheLastSnapshotIsStaleAndRecovers() throws Exception {
    Path dir = temp.resolve("m");
    SecretsMount mount = SecretsMount.atomicWriter(dir).publish(Map.of("DB_PASSWORD", "p1"));
    try (LogCapture logs = LogCapture.capture();
        MountedSecrets secrets = MountedSecrets.builder().directory(dir)
            .pollInterval(Duration.ofMillis(100)).build()) {
      deleteTree(dir);
      Await.until(WAIT, () -> secrets.status().state() == MountState.STALE, () -> "stale state");
      assertThat(secrets.get("DB_PASSWORD")).isEqualTo("p1");
      assertThat(secrets.status().staleSince()).isPresent();
      // Seen either while the files were being deleted (an empty directory, or a file that
      // vanished under the reader, which the next poll reports as the mount's state) or after.
      Await.until(WAIT, () -> secrets.status().failureReason()
          .filter(reason -> reason.equals("not mounted") || reason.equals("empty (volume unmounted?)"))
          .isPresent(), () -> "the mount reported as gone, not as a read failure: " + secrets.status().failureReason());
      // The status is published before the warning is logged: wait for the line.
      Await.until(WAIT, () -> logs.warnings().stream().anyMatch(m -> m.startsWith(dir + ": mount ")
          && m.contains("; serving the last snapshot (revision 1")), () -> "the warning");

      SecretsMount.atomicWriter(dir).publish(Map.of("DB_PASSWORD", "p2"));
      Await.until(WAIT, () -> secrets.find("DB_PASSWORD").orElse("").equals("p2")
          && secrets.status().state() == MountState.READY, () -> "recovery");
      assertThat(secrets.status().staleSince()).isEmpty();
      assertThat(logs.messages()).anyMatch(m -> m.equals(dir + ": mount readable again; serving fresh content"));
      // The watch was re-established on the new directory: a rotation is seen again.
      mount = SecretsMount.atomicWriter(dir);
      mount.publish(Map.of("DB_PASSWORD", "p3"));
      Await.until(WAIT, () -> secrets.get("DB_PASSWORD").equals("p3"), () -> "rotation after recovery");
    }
  }

  @Test
  void aMountSeenHalfTakenApartIsReportedGoneOnceItIsGone() throws Exception {
    // The volume is torn down in steps: ..data goes first, the timestamped directory stays a
    // moment, then the directory itself goes. Seen in the middle, the mount is "incomplete";
    // the poll must still read it again once it is gone, although nothing is there to watch.
    Path dir = temp.resolve("m");
    SecretsMount.atomicWriter(dir).publish(Map.of("DB_PASSWORD", "p1"));
    // Polled only, so that no event triggers a read while the directory is being removed.
    try (MountedSecrets secrets = MountedSecrets.builder().directory(dir).watch(false)
        .pollInterval(Duration.ofMillis(100)).build()) {
      Files.delete(dir.resolve("..data"));
      Await.until(WAIT, () -> secrets.status().failureReason().orElse("").startsWith("is incomplete"),
          () -> "the incomplete mount: " + secrets.status().failureReason());
      deleteTree(dir);
      Await.until(WAIT, () -> secrets.status().failureReason().equals(java.util.Optional.of("not mounted")),
          () -> "the mount reported as gone: " + secrets.status().failureReason());
      assertThat(secrets.status().state()).isEqualTo(MountState.STALE);
      assertThat(secrets.get("DB_PASSWORD")).isEqualTo("p1");
    }
  }

  @Test
  void aMountThatFailedAndThenVanishedIsNotReadAgainUntilItIsBack() throws Exception {
    Path dir = temp.resolve("m");
    SecretsMount.atomicWriter(dir).publish(Map.of("DB_PASSWORD", "p1", "OTHER", "o"));
    try (MountedSecrets secrets = MountedSecrets.builder().directory(dir).watch(false)
        .pollInterval(Duration.ofMillis(50)).maxEntries(2).build()) {
      // A read that fails (here: past maxEntries), then the volume goes away.
      SecretsMount.atomicWriter(dir).publish(Map.of("DB_PASSWORD", "p2", "OTHER", "o", "NEW", "n"));
      Await.until(WAIT, () -> secrets.status().failureReason().orElse("").contains("maxEntries"),
          () -> "the refused read: " + secrets.status());
      deleteTree(dir);
      Await.until(WAIT, () -> secrets.status().failureReason().equals(java.util.Optional.of("not mounted")),
          () -> "the mount reported as gone: " + secrets.status().failureReason());
      Thread.sleep(200);
      Object lastRead = secrets.status().lastReloadAt();
      Thread.sleep(500); // ten poll intervals
      assertThat(secrets.status().lastReloadAt()).as("reads of a mount that is not there")
          .isEqualTo(lastRead);

      SecretsMount.atomicWriter(dir).publish(Map.of("DB_PASSWORD", "p3"));
      Await.until(WAIT, () -> secrets.find("DB_PASSWORD").orElse("").equals("p3")
          && secrets.status().state() == MountState.READY, () -> "recovery");
    }
  }

  @Test
  void anEmptiedMountKeepsTheLastSnapshot() throws Exception {
    Path dir = Files.createDirectories(temp.resolve("plain"));
    Files.writeString(dir.resolve("API_KEY"), "k1");
    try (MountedSecrets secrets = MountedSecrets.builder().directory(dir).watch(false).build()) {
      Files.delete(dir.resolve("API_KEY"));
      assertThat(secrets.reload()).isFalse(); // an emptied mount is never a change
      assertThat(secrets.get("API_KEY")).isEqualTo("k1");
      assertThat(secrets.status().state()).isEqualTo(MountState.STALE);
      assertThat(secrets.status().failureReason()).contains("empty (volume unmounted?)");
      Files.writeString(dir.resolve("API_KEY"), "k2");
      secrets.reload();
      assertThat(secrets.get("API_KEY")).isEqualTo("k2");
      assertThat(secrets.status().state()).isEqualTo(MountState.READY);
    }
  }

  @Test
  void closeStopsEveryThreadAndIsIdempotent() throws Exception {
    Path dir = temp.resolve("m");
    SecretsMount.fileByFile(dir).publish(Map.of("A", "1"));
    MountedSecrets secrets = MountedSecrets.builder().directory(dir).build();
    secrets.onChange(e -> { });
    SecretsMount.fileByFile(dir).put("A", "2");
    Await.until(WAIT, () -> secrets.get("A").equals("2"), () -> "rotation");
    assertThat(libraryThreads()).anyMatch(t -> t.getName().startsWith("mounted-secrets-reload[" + dir));
    secrets.close();
    secrets.close();
    assertThat(libraryThreads()).noneMatch(t -> t.getName().contains(dir.toString()));
    // Values read before close stay readable from memory; no reload happens any more.
    assertThat(secrets.get("A")).isEqualTo("2");
    assertThat(secrets.reload()).isFalse();
  }

  @Test
  void closingFromInsideAListenerDoesNotDeadlock() throws Exception {
    Path dir = temp.resolve("m");
    SecretsMount mount = SecretsMount.atomicWriter(dir).publish(Map.of("A", "1"));
    MountedSecrets secrets = MountedSecrets.builder().directory(dir).build();
    BlockingQueue<Boolean> closed = new LinkedBlockingQueue<>();
    secrets.onChange(e -> {
      secrets.close();
      closed.add(true);
    });
    mount.publish(Map.of("A", "2"));
    assertThat(closed.poll(10, TimeUnit.SECONDS)).isTrue();
    Await.until(WAIT, () -> libraryThreads().stream().noneMatch(t -> t.getName().contains(dir.toString())),
        () -> "threads gone");
  }

  static List<Thread> libraryThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("mounted-secrets-") && t.isAlive())
        .collect(Collectors.toList());
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
        Files.deleteIfExists(p);
      }
    }
  }
}
