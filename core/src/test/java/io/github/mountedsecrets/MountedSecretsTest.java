package io.github.mountedsecrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.mountedsecrets.test.SecretsMount;
import io.github.mountedsecrets.test.SecretsMount.Layout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class MountedSecretsTest {
  private static final String PEM = "-----BEGIN PRIVATE KEY-----\nMIIBVQIBADANBgkq\nhkiG9w0BAQEF\n"
      + "-----END PRIVATE KEY-----\n";

  @TempDir Path temp;

  private SecretsMount mount(Layout layout, Map<String, ?> files) {
    return SecretsMount.create(layout, temp.resolve("mount")).publish(files);
  }

  private MountedSecrets open(SecretsMount mount) {
    return MountedSecrets.builder().directory(mount.directory()).build();
  }

  static Map<String, Object> sample() {
    Map<String, Object> files = new LinkedHashMap<>();
    files.put("DB_PASSWORD", "s3cret-pass");
    files.put("DB_USER", "app_user\n");
    files.put("prod-db", "{\"username\":\"app\",\"password\":\"pw\",\"port\":5432,"
        + "\"ssl\":true,\"opts\":{\"a\":{\"b\":\"deep\"}},\"hosts\":[\"h1\",\"h2\"],\"none\":null}");
    files.put("tls.key", PEM);
    files.put("nested/dir/file", "nested value");
    files.put(".dockerconfigjson", "{\"auths\":{}}");
    return files;
  }

  @ParameterizedTest
  @EnumSource(Layout.class)
  void readsFilesJsonFieldsAndNestedPaths(Layout layout) {
    try (MountedSecrets secrets = open(mount(layout, sample()))) {
      assertThat(secrets.get("DB_PASSWORD")).isEqualTo("s3cret-pass");
      assertThat(secrets.get("DB_USER")).isEqualTo("app_user");
      assertThat(secrets.get("prod-db.username")).isEqualTo("app");
      assertThat(secrets.get("prod-db.port")).isEqualTo("5432");
      assertThat(secrets.get("prod-db.ssl")).isEqualTo("true");
      assertThat(secrets.get("prod-db.opts.a.b")).isEqualTo("deep");
      assertThat(secrets.get("prod-db.hosts[1]")).isEqualTo("h2");
      assertThat(secrets.find("prod-db.none")).isEmpty();
      assertThat(secrets.get("prod-db")).startsWith("{\"username\"");
      assertThat(secrets.get("tls.key")).isEqualTo(PEM);
      assertThat(secrets.get("nested/dir/file")).isEqualTo("nested value");
      assertThat(secrets.find(".dockerconfigjson")).contains("{\"auths\":{}}");
      assertThat(secrets.getBytes("DB_USER")).isEqualTo("app_user\n".getBytes(StandardCharsets.UTF_8));
      assertThat(secrets.snapshot().keys()).noneMatch(k -> k.startsWith(".."))
          .contains("DB_PASSWORD", "prod-db.password", "nested/dir/file");
      assertThat(secrets.snapshot().layout()).isEqualTo(layout == Layout.ATOMIC_WRITER
          ? MountLayout.ATOMIC_WRITER : MountLayout.FILE_BY_FILE);
      assertThat(secrets.status().state()).isEqualTo(MountState.READY);
      assertThat(secrets.status().invalidFiles()).isEmpty();
    }
  }

  @ParameterizedTest
  @EnumSource(Layout.class)
  void namesTheFileEachKeyCameFrom(Layout layout) {
    try (MountedSecrets secrets = open(mount(layout, sample()))) {
      assertThat(secrets.snapshot().file("DB_PASSWORD")).contains("DB_PASSWORD");
      assertThat(secrets.snapshot().file("prod-db.username")).contains("prod-db");
      assertThat(secrets.snapshot().file("prod-db.opts.a.b")).contains("prod-db");
      assertThat(secrets.snapshot().file("nested/dir/file")).contains("nested/dir/file");
      assertThat(secrets.snapshot().file("ABSENT")).isEmpty();
    }
  }

  @Test
  void reportsTheGenerationOfTheAtomicWriter() {
    SecretsMount mount = mount(Layout.ATOMIC_WRITER, sample());
    try (MountedSecrets secrets = open(mount)) {
      assertThat(secrets.snapshot().generation()).isEqualTo(mount.generation());
      assertThat(secrets.snapshot().generation().orElseThrow()).matches("\\.\\.\\d{4}_\\d\\d_\\d\\d_\\d\\d_\\d\\d_\\d\\d\\.\\d+");
    }
  }

  @Test
  void readsAPlainLocalDirectory() throws Exception {
    Path dir = Files.createDirectories(temp.resolve("plain"));
    Files.writeString(dir.resolve("API_KEY"), "key-1\n");
    try (MountedSecrets secrets = MountedSecrets.builder().directory(dir).build()) {
      assertThat(secrets.get("API_KEY")).isEqualTo("key-1");
      assertThat(secrets.status().layout()).isEqualTo(MountLayout.FILE_BY_FILE);
    }
  }

  @Test
  void trimmingOnlyTouchesSingleLineTextAndCanBeTurnedOff() {
    Map<String, Object> files = Map.of("a", "one\n", "b", "two\r\n", "c", "x\ny\n", "d", "keep\n\n",
        "e", "");
    SecretsMount mount = mount(Layout.FILE_BY_FILE, files);
    try (MountedSecrets secrets = open(mount)) {
      assertThat(secrets.get("a")).isEqualTo("one");
      assertThat(secrets.get("b")).isEqualTo("two");
      assertThat(secrets.get("c")).isEqualTo("x\ny\n");
      assertThat(secrets.get("d")).isEqualTo("keep\n\n");
      assertThat(secrets.get("e")).isEmpty();
    }
    try (MountedSecrets verbatim = MountedSecrets.builder().directory(mount.directory())
        .trimTrailingNewline(false).build()) {
      assertThat(verbatim.get("a")).isEqualTo("one\n");
      assertThat(verbatim.get("b")).isEqualTo("two\r\n");
    }
  }

  @Test
  void flatteningCanBeTurnedOff() {
    SecretsMount mount = mount(Layout.ATOMIC_WRITER, sample());
    try (MountedSecrets secrets = MountedSecrets.builder().directory(mount.directory())
        .flattenJson(false).build()) {
      assertThat(secrets.find("prod-db.username")).isEmpty();
      assertThat(secrets.get("prod-db")).contains("\"username\"");
    }
  }

  @Test
  void aFileWinsOverAJsonFieldOfTheSameName() {
    SecretsMount mount = mount(Layout.FILE_BY_FILE,
        Map.of("db", "{\"user\":\"from-json\"}", "db.user", "from-file"));
    try (LogCapture logs = LogCapture.capture(); MountedSecrets secrets = open(mount)) {
      assertThat(secrets.get("db.user")).isEqualTo("from-file");
      assertThat(logs.warnings()).anyMatch(m -> m.contains("'db.user' is both a file and a JSON field"));
    }
  }

  @Test
  void missingKeyNamesTheKeyTheMountAndCloseMatches() {
    SecretsMount mount = mount(Layout.ATOMIC_WRITER, sample());
    try (MountedSecrets secrets = open(mount)) {
      assertThatThrownBy(() -> secrets.get("DB_PASWORD"))
          .isInstanceOf(SecretNotFoundException.class)
          .hasMessage("No secret 'DB_PASWORD' in " + mount.directory() + "; did you mean 'DB_PASSWORD'?");
      assertThatThrownBy(() -> secrets.get("prod-db.user"))
          .hasMessageContaining("did you mean")
          .hasMessageContaining("'prod-db.username'");
      assertThatThrownBy(() -> secrets.get("unrelated-thing"))
          .hasMessage("No secret 'unrelated-thing' in " + mount.directory());
      SecretNotFoundException e = org.junit.jupiter.api.Assertions.assertThrows(
          SecretNotFoundException.class, () -> secrets.get("db_password"));
      assertThat(e.key()).isEqualTo("db_password");
      assertThat(e.closeMatches()).first().isEqualTo("DB_PASSWORD");
    }
  }

  /**
   * With watching off, the reload thread reads the mount at the poll and nowhere else: not
   * at its start either (a read there raced with callers that rotate and then call reload()).
   */
  @ParameterizedTest
  @EnumSource(Layout.class)
  void withoutWatchingOnlyThePollOrReloadReadsTheMount(Layout layout) throws Exception {
    for (int run = 0; run < 5; run++) {
      SecretsMount mount = SecretsMount.create(layout, temp.resolve("m" + run)).publish(sample());
      try (MountedSecrets secrets = MountedSecrets.builder().directory(mount.directory())
          .watch(false).pollInterval(Duration.ofHours(1)).quietPeriod(Duration.ZERO).build()) {
        Map<String, Object> next = new LinkedHashMap<>(sample());
        next.put("DB_PASSWORD", "rotated");
        mount.publish(next);
        Thread.sleep(100);
        MountStatus status = secrets.status();
        assertThat(status.successfulReloads() + status.failedReloads())
            .as("reads after build()").isEqualTo(1);
        assertThat(secrets.get("DB_PASSWORD")).isEqualTo("s3cret-pass");
        assertThat(secrets.reload()).isTrue();
        assertThat(secrets.get("DB_PASSWORD")).isEqualTo("rotated");
      }
    }
  }

  @Test
  void versionsChangeOnlyWithContentAndOldSnapshotsStayIntact() {
    SecretsMount mount = mount(Layout.ATOMIC_WRITER, sample());
    try (MountedSecrets secrets = MountedSecrets.builder().directory(mount.directory())
        .watch(false).build()) {
      SecretsSnapshot before = secrets.snapshot();
      long userVersion = before.version("DB_USER");
      Map<String, Object> next = new LinkedHashMap<>(sample());
      next.put("DB_PASSWORD", "rotated");
      mount.publish(next);
      secrets.reload(); // the reload thread's first check may have read it already
      SecretsSnapshot after = secrets.snapshot();
      assertThat(after.get("DB_PASSWORD")).isEqualTo("rotated");
      assertThat(after.version("DB_PASSWORD")).isGreaterThan(before.version("DB_PASSWORD"));
      assertThat(after.version("DB_USER")).isEqualTo(userVersion);
      assertThat(after.revision()).isEqualTo(before.revision() + 1);
      assertThat(before.get("DB_PASSWORD")).isEqualTo("s3cret-pass");
      assertThat(secrets.reload()).isFalse();
      assertThat(secrets.snapshot().revision()).isEqualTo(after.revision());
    }
  }

  @ParameterizedTest
  @EnumSource(Layout.class)
  void eachKeyKnowsWhenItsContentLastChanged(Layout layout) {
    SecretsMount mount = mount(layout, sample());
    java.util.concurrent.atomic.AtomicReference<java.time.Instant> now =
        new java.util.concurrent.atomic.AtomicReference<>(java.time.Instant.parse("2026-01-01T00:00:00Z"));
    java.time.Clock clock = new java.time.Clock() {
      @Override
      public java.time.ZoneId getZone() {
        return java.time.ZoneOffset.UTC;
      }

      @Override
      public java.time.Clock withZone(java.time.ZoneId zone) {
        return this;
      }

      @Override
      public java.time.Instant instant() {
        return now.get();
      }
    };
    try (MountedSecrets secrets = MountedSecrets.builder().directory(mount.directory())
        .watch(false).clock(clock).build()) {
      java.time.Instant first = now.get();
      assertThat(secrets.snapshot().changedAt("DB_PASSWORD")).isEqualTo(first);
      assertThat(secrets.snapshot().changedAt("DB_USER")).isEqualTo(first);

      now.set(first.plusSeconds(60));
      Map<String, Object> next = new LinkedHashMap<>(sample());
      next.put("DB_PASSWORD", "rotated");
      mount.publish(next);
      secrets.reload();
      SecretsSnapshot after = secrets.snapshot();
      assertThat(after.get("DB_PASSWORD")).isEqualTo("rotated");
      assertThat(after.changedAt("DB_PASSWORD")).isEqualTo(first.plusSeconds(60)).isEqualTo(after.loadedAt());
      assertThat(after.changedAt("DB_USER")).as("unchanged content keeps its time").isEqualTo(first);

      // Files rewritten with the same content (the driver does it on every poll) change nothing.
      now.set(first.plusSeconds(120));
      mount.rewriteUnchanged();
      secrets.reload();
      assertThat(secrets.snapshot().changedAt("DB_PASSWORD")).isEqualTo(first.plusSeconds(60));
      assertThat(secrets.snapshot().changedAt("DB_USER")).isEqualTo(first);
      assertThatThrownBy(() -> secrets.snapshot().changedAt("NOPE")).isInstanceOf(SecretNotFoundException.class);
    }
  }

  @Test
  void snapshotCollectionsAreUnmodifiableAndBytesAreCopies() {
    try (MountedSecrets secrets = open(mount(Layout.FILE_BY_FILE, sample()))) {
      SecretsSnapshot snapshot = secrets.snapshot();
      assertThatThrownBy(() -> snapshot.keys().clear()).isInstanceOf(UnsupportedOperationException.class);
      byte[] bytes = snapshot.bytes("DB_PASSWORD");
      java.util.Arrays.fill(bytes, (byte) 0);
      assertThat(snapshot.get("DB_PASSWORD")).isEqualTo("s3cret-pass");
      assertThat(snapshot.bytes("DB_PASSWORD")).isNotEqualTo(bytes);
    }
  }
}
