package io.github.mountedsecrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.mountedsecrets.test.Await;
import io.github.mountedsecrets.test.SecretsMount;
import io.github.mountedsecrets.test.SecretsMount.Layout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code maxEntries} and {@code maxTotalSize} bound one read of the mount as a whole: a
 * directory that is not the secrets mount (a wrong path, a volume of other files) or a mount
 * that grew past them is refused, naming the option and the fix, without reading on to the
 * end; the last good snapshot stays in service.
 */
@Timeout(60)
class ReadLimitsTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path temp;

  private static Map<String, Object> files(int count, String value) {
    Map<String, Object> files = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      files.put(String.format("SECRET_%03d", i), value);
    }
    return files;
  }

  private static MountedSecrets.Builder manual(Path dir) {
    // No watch service, no poll within the test, and no quiet period to wait for.
    return MountedSecrets.builder().directory(dir).watch(false).pollInterval(Duration.ofHours(1))
        .quietPeriod(Duration.ofMinutes(1));
  }

  @ParameterizedTest
  @EnumSource(Layout.class)
  void aMountAtTheLimitsLoads(Layout layout) throws Exception {
    SecretsMount mount = SecretsMount.create(layout, temp.resolve("m")).publish(files(20, "0123456789"));
    try (MountedSecrets secrets = manual(mount.directory()).maxEntries(20).maxTotalSize(200).build()) {
      assertThat(secrets.snapshot().size()).isEqualTo(20);
      assertThat(secrets.status().state()).isEqualTo(MountState.READY);
    }
  }

  @ParameterizedTest
  @EnumSource(Layout.class)
  void aMountWithMoreEntriesFailsStartupNamingTheOption(Layout layout) throws Exception {
    SecretsMount mount = SecretsMount.create(layout, temp.resolve("m")).publish(files(21, "v"));
    AtomicInteger opens = new AtomicInteger();
    assertThatThrownBy(() -> manual(mount.directory()).maxEntries(20)
        .openCheck(relative -> opens.incrementAndGet()).build())
        .isInstanceOf(MountedSecretsException.class)
        .hasMessageContaining("could not be read at startup")
        .hasMessageContaining("more than maxEntries=20 entries")
        .hasMessageContaining("Point the directory at the secrets mount itself, or raise maxEntries");
    // Refused on the listing, before any file was opened.
    assertThat(opens.get()).isZero();
  }

  @ParameterizedTest
  @EnumSource(Layout.class)
  void aMountWithMoreBytesFailsStartupNamingTheOption(Layout layout) throws Exception {
    SecretsMount mount = SecretsMount.create(layout, temp.resolve("m")).publish(files(20, "0123456789"));
    AtomicInteger opens = new AtomicInteger();
    assertThatThrownBy(() -> manual(mount.directory()).maxTotalSize(199)
        .openCheck(relative -> opens.incrementAndGet()).build())
        .isInstanceOf(MountedSecretsException.class)
        .hasMessageContaining("more than maxTotalSize=199 bytes of files")
        .hasMessageContaining("or raise maxTotalSize");
    // The twentieth file would go past the limit: it is not opened.
    assertThat(opens.get()).isEqualTo(19);
  }

  @ParameterizedTest
  @EnumSource(Layout.class)
  void directoriesCountAsEntriesAtEveryDepth(Layout layout) throws Exception {
    Map<String, Object> files = new LinkedHashMap<>();
    files.put("a/b/c/DEEP", "1");
    files.put("TOP", "2");
    SecretsMount mount = SecretsMount.create(layout, temp.resolve("m")).publish(files);
    // a, a/b, a/b/c, a/b/c/DEEP, TOP: five entries.
    try (MountedSecrets secrets = manual(mount.directory()).maxEntries(5).build()) {
      assertThat(secrets.get("a/b/c/DEEP")).isEqualTo("1");
    }
    assertThatThrownBy(() -> manual(mount.directory()).maxEntries(4).build())
        .hasMessageContaining("more than maxEntries=4 entries");
  }

  @ParameterizedTest
  @EnumSource(Layout.class)
  void aMountThatGrowsPastTheLimitsKeepsTheLastSnapshotAndRecovers(Layout layout)
      throws Exception {
    SecretsMount mount = SecretsMount.create(layout, temp.resolve("m")).publish(files(10, "v1"));
    try (MountedSecrets secrets = manual(mount.directory()).maxEntries(10).maxTotalSize(100)
        .build()) {
      mount.publish(files(11, "v2"));
      assertThat(secrets.reload()).isFalse();
      assertThat(secrets.status().state()).isEqualTo(MountState.STALE);
      assertThat(secrets.status().failureReason()).get().asString()
          .contains("more than maxEntries=10");
      assertThat(secrets.get("SECRET_000")).isEqualTo("v1");
      assertThat(secrets.find("SECRET_010")).isEmpty();

      // Every state on the way is refused too: the reload thread's first check (atomic layout)
      // may read at any moment, and would keep any state that reads. The atomic writer drops
      // SECRET_010 with this generation; the file-by-file writer never deletes, so the test does.
      mount.publish(files(10, "0123456789X"));
      mount.remove("SECRET_010");
      assertThat(secrets.reload()).isFalse();
      assertThat(secrets.status().failureReason()).get().asString()
          .contains("more than maxTotalSize=100 bytes");
      assertThat(secrets.get("SECRET_000")).isEqualTo("v1");

      mount.publish(files(10, "v3"));
      assertThat(secrets.reload()).isTrue();
      assertThat(secrets.get("SECRET_009")).isEqualTo("v3");
      assertThat(secrets.status().state()).isEqualTo(MountState.READY);
      assertThat(secrets.status().failureReason()).isEmpty();
    }
  }

  @Test
  void filesOverMaxFileSizeAreLeftOutBeforeTheyCount() throws Exception {
    Path dir = Files.createDirectories(temp.resolve("plain"));
    Files.writeString(dir.resolve("SMALL"), "s");
    Files.write(dir.resolve("HUGE"), new byte[4096]);
    try (MountedSecrets secrets = manual(dir).maxFileSize(1024).maxTotalSize(1024).build()) {
      assertThat(secrets.get("SMALL")).isEqualTo("s");
      assertThat(secrets.status().invalidFiles().get("HUGE")).contains("over maxFileSize=1024");
    }
  }

  @Test
  void thePollNoticesAPlainMountGrowingPastMaxEntries() throws Exception {
    SecretsMount mount = SecretsMount.fileByFile(temp.resolve("m")).publish(files(5, "v1"));
    try (MountedSecrets secrets = MountedSecrets.builder().directory(mount.directory())
        .watch(false).pollInterval(Duration.ofMillis(50)).quietPeriod(Duration.ofMillis(10))
        .maxEntries(5).build()) {
      for (int i = 5; i < 50; i++) {
        Files.writeString(mount.directory().resolve("EXTRA_" + i), "x");
      }
      Await.until(WAIT, () -> secrets.status().failureReason()
          .filter(reason -> reason.contains("more than maxEntries=5")).isPresent(),
          () -> "the poll to report the limit: " + secrets.status());
      assertThat(secrets.status().state()).isEqualTo(MountState.STALE);
      assertThat(secrets.get("SECRET_000")).isEqualTo("v1");
    }
  }

  @Test
  void aDirectoryThatIsNotTheMountIsRefusedWithoutReadingItAll() throws Exception {
    // A wrong path: a tree of many small directories. The read stops at the limit.
    Path tree = Files.createDirectories(temp.resolve("tree"));
    for (int i = 0; i < 30; i++) {
      Path sub = Files.createDirectories(tree.resolve("d" + i));
      for (int j = 0; j < 30; j++) {
        Files.writeString(sub.resolve("f" + j), "x");
      }
    }
    AtomicInteger opens = new AtomicInteger();
    assertThatThrownBy(() -> manual(tree).maxEntries(100)
        .openCheck(relative -> opens.incrementAndGet()).build())
        .hasMessageContaining("more than maxEntries=100");
    assertThat(opens.get()).isLessThan(100);
  }

  @Test
  void outOfRangeValuesAreRefusedNamingTheOption() {
    assertThatThrownBy(() -> MountedSecrets.builder().maxEntries(0))
        .isInstanceOf(InvalidOptionException.class)
        .hasMessage("maxEntries must be between 1 and 10000000, but was 0");
    assertThatThrownBy(() -> MountedSecrets.builder().maxEntries(10_000_001))
        .isInstanceOf(InvalidOptionException.class);
    assertThatThrownBy(() -> MountedSecrets.builder().maxTotalSize(0))
        .isInstanceOf(InvalidOptionException.class)
        .hasMessage("maxTotalSize must be positive, but was 0");
  }
}
