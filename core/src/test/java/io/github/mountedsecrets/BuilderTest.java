package io.github.mountedsecrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.github.mountedsecrets.test.Await;
import io.github.mountedsecrets.test.SecretsMount;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Builder validation and documented defaults. */
@Timeout(60)
class BuilderTest {
  @TempDir Path temp;

  // ---------------------------------------------------------------------------------------
  // Refused values: the message names the option and the value, at the call, not at build().

  @Test
  void directoryRefusesNull() {
    assertThatThrownBy(() -> MountedSecrets.builder().directory(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("directory must not be null");
  }

  @Test
  void pollIntervalMustBePositive() {
    assertThatThrownBy(() -> MountedSecrets.builder().pollInterval(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("pollInterval must be positive, but was PT0S");
    assertThatThrownBy(() -> MountedSecrets.builder().pollInterval(Duration.ofSeconds(-5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("pollInterval must be positive, but was PT-5S");
    assertThatThrownBy(() -> MountedSecrets.builder().pollInterval(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("pollInterval must not be null");
    assertThatCode(() -> MountedSecrets.builder().pollInterval(Duration.ofNanos(1)))
        .doesNotThrowAnyException();
  }

  @Test
  void quietPeriodMustBeBetweenZeroAndOneMinute() {
    assertThatThrownBy(() -> MountedSecrets.builder().quietPeriod(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("quietPeriod must be between 0 and 1 minute, but was PT-0.001S");
    assertThatThrownBy(() -> MountedSecrets.builder().quietPeriod(Duration.ofMinutes(1).plusMillis(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("quietPeriod must be between 0 and 1 minute, but was PT1M0.001S");
    assertThatThrownBy(() -> MountedSecrets.builder().quietPeriod(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("quietPeriod must not be null");
    assertThatCode(() -> MountedSecrets.builder().quietPeriod(Duration.ZERO).quietPeriod(Duration.ofMinutes(1)))
        .doesNotThrowAnyException();
  }

  @ParameterizedTest
  @ValueSource(longs = {0, -1, Long.MIN_VALUE, 2147483632L, Long.MAX_VALUE})
  void maxFileSizeOutOfRangeIsRefused(long size) {
    assertThatThrownBy(() -> MountedSecrets.builder().maxFileSize(size))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxFileSize must be between 1 and 2147483631 bytes, but was " + size);
  }

  @Test
  void maxFileSizeBoundariesAreAccepted() {
    assertThatCode(() -> MountedSecrets.builder().maxFileSize(1).maxFileSize(2147483631L))
        .doesNotThrowAnyException();
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -1, 65, Integer.MAX_VALUE, Integer.MIN_VALUE})
  void maxDepthOutOfRangeIsRefused(int depth) {
    assertThatThrownBy(() -> MountedSecrets.builder().maxDepth(depth))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxDepth must be between 1 and 64, but was " + depth);
  }

  @Test
  void maxDepthBoundariesAreAccepted() {
    assertThatCode(() -> MountedSecrets.builder().maxDepth(1).maxDepth(64)).doesNotThrowAnyException();
  }

  @ParameterizedTest
  @ValueSource(longs = {-1, Long.MIN_VALUE})
  void cacheMaximumSizeMustNotBeNegative(long size) {
    assertThatThrownBy(() -> MountedSecrets.builder().cacheMaximumSize(size))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cacheMaximumSize must not be negative, but was " + size);
    assertThatCode(() -> MountedSecrets.builder().cacheMaximumSize(0)).doesNotThrowAnyException();
  }

  @Test
  void clockRefusesNull() {
    assertThatThrownBy(() -> MountedSecrets.builder().clock(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("clock must not be null");
  }

  @Test
  void openCheckRefusesNull() {
    assertThatThrownBy(() -> MountedSecrets.builder().openCheck(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("openCheck");
  }

  @Test
  void aRefusedValueLeavesThePreviousSettingInPlace() {
    MountedSecrets.Builder builder = MountedSecrets.builder().maxDepth(3);
    assertThatThrownBy(() -> builder.maxDepth(0)).isInstanceOf(IllegalArgumentException.class);
    assertThat(builder.toString()).contains("maxDepth=3");
  }

  // ---------------------------------------------------------------------------------------
  // Defaults

  @Test
  void defaultConstantsAreAsDocumented() {
    assertThat(MountedSecrets.DEFAULT_DIRECTORY).isEqualTo(Path.of("/mnt/secrets-store"));
    assertThat(MountedSecrets.DEFAULT_POLL_INTERVAL).isEqualTo(Duration.ofSeconds(30));
    assertThat(MountedSecrets.DEFAULT_QUIET_PERIOD).isEqualTo(Duration.ofMillis(100));
    assertThat(MountedSecrets.DEFAULT_MAX_FILE_SIZE).isEqualTo(1024L * 1024L);
    assertThat(MountedSecrets.DEFAULT_MAX_DEPTH).isEqualTo(8);
    assertThat(MountedSecrets.DEFAULT_CACHE_MAXIMUM_SIZE).isEqualTo(10_000L);
  }

  @Test
  void aFreshBuilderHoldsTheDefaults() {
    assertThat(MountedSecrets.builder().toString()).isEqualTo("MountedSecrets.Builder["
        + "directory=/mnt/secrets-store, pollInterval=PT30S, quietPeriod=PT0.1S, watch=true, "
        + "flattenJson=true, trimTrailingNewline=true, maxFileSize=1048576, maxDepth=8, "
        + "maxEntries=100000, maxTotalSize=67108864, requireMount=true, cacheMaximumSize=10000, "
        + "readTimeout=PT5S, "
        + "maxJsonKeysPerFile=1000, maxJsonKeys=10000, maxJsonDepth=32]");
  }

  @Test
  void theDefaultDirectoryIsRequired() {
    assumeFalse(Files.exists(MountedSecrets.DEFAULT_DIRECTORY), "a real mount at /mnt/secrets-store");
    MountNotFoundException e = assertThrows(MountNotFoundException.class,
        () -> MountedSecrets.builder().build());
    assertThat(e).hasMessageContaining("/mnt/secrets-store does not exist");
    assertThat(e.directory()).isEqualTo(MountedSecrets.DEFAULT_DIRECTORY);
  }

  @Test
  void requireMountFalseStartsEmpty() {
    Path missing = temp.resolve("missing");
    try (MountedSecrets secrets = MountedSecrets.builder().directory(missing).requireMount(false)
        .watch(false).build()) {
      assertThat(secrets.status().state()).isEqualTo(MountState.MISSING);
      assertThat(secrets.snapshot().size()).isZero();
      assertThatThrownBy(() -> secrets.get("X")).isInstanceOf(SecretNotFoundException.class)
          .hasMessageContaining("nothing is mounted there yet");
    }
  }

  @Test
  void theDefaultMaxFileSizeIsOneMebibyte() throws Exception {
    Path dir = Files.createDirectories(temp.resolve("m"));
    Files.write(dir.resolve("exactly"), new byte[1024 * 1024]);
    Files.write(dir.resolve("over"), new byte[1024 * 1024 + 1]);
    try (MountedSecrets secrets = MountedSecrets.builder().directory(dir).watch(false).build()) {
      assertThat(secrets.getBytes("exactly")).hasSize(1024 * 1024);
      assertThat(secrets.snapshot().contains("over")).isFalse();
      assertThat(secrets.status().invalidFiles()).containsOnlyKeys("over");
      assertThat(secrets.status().invalidFiles().get("over")).contains("maxFileSize=1048576");
    }
  }

  @Test
  void theDefaultMaxDepthIsEight() throws Exception {
    Path dir = Files.createDirectories(temp.resolve("m"));
    String eight = "d1/d2/d3/d4/d5/d6/d7/f8";
    String nine = "e1/e2/e3/e4/e5/e6/e7/e8/f9";
    for (String name : new String[] {eight, nine}) {
      Path file = dir.resolve(name);
      Files.createDirectories(file.getParent());
      Files.writeString(file, "v");
    }
    try (MountedSecrets secrets = MountedSecrets.builder().directory(dir).watch(false).build()) {
      assertThat(secrets.get(eight)).isEqualTo("v");
      assertThat(secrets.snapshot().contains(nine)).isFalse();
      assertThat(secrets.status().invalidFiles()).containsOnlyKeys("e1/e2/e3/e4/e5/e6/e7/e8");
    }
  }

  @Test
  void byDefaultJsonIsFlattenedAndOneTrailingNewlineTrimmed() {
    SecretsMount mount = SecretsMount.fileByFile(temp.resolve("m"))
        .publish(Map.of("db", "{\"user\":\"u\"}", "line", "v\n"));
    try (MountedSecrets secrets = MountedSecrets.builder().directory(mount.directory()).watch(false)
        .build()) {
      assertThat(secrets.get("db.user")).isEqualTo("u");
      assertThat(secrets.get("line")).isEqualTo("v");
    }
  }

  @Test
  void byDefaultConversionsAreCached() {
    SecretsMount mount = SecretsMount.fileByFile(temp.resolve("m")).publish(Map.of("t", "17s"));
    try (MountedSecrets secrets = MountedSecrets.builder().directory(mount.directory()).watch(false)
        .build()) {
      assertThat(secrets.getDuration("t")).isSameAs(secrets.getDuration("t"));
    }
  }

  @Test
  void byDefaultTheMountIsWatched() {
    SecretsMount mount = SecretsMount.atomicWriter(temp.resolve("m")).publish(Map.of("k", "v1"));
    try (MountedSecrets secrets = MountedSecrets.builder().directory(mount.directory()).build()) {
      mount.put("k", "v2");
      // The default poll interval is 30 s: only the watch service can notice this in time.
      Await.until(Duration.ofSeconds(10), () -> secrets.get("k").equals("v2"),
          () -> "the rotation to be noticed without reload()");
    }
  }
}
