package io.github.mountedsecrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.mountedsecrets.test.Await;
import io.github.mountedsecrets.test.SecretsMount;
import io.github.mountedsecrets.test.SecretsMount.Layout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Files the library cannot use: each one is warned about once (mount, file and reason), listed
 * in {@link MountStatus#invalidFiles()}, the rest of the mount still loads, and a key that was
 * good keeps its last good value when its file turns bad.
 *
 * <p>Instances are built with {@code watch(false)}, a long poll and a long quiet period, so
 * that besides the explicit {@link MountedSecrets#reload()} only the reload thread's one check
 * at start can read the mount (for the atomic writer it may read a rotation first; reloads are
 * serialized and each rotation is atomic, so the outcome is the same).
 */
@Timeout(60)
class BadInputTest {
  private static final String ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod-db-AbCdEf";

  @TempDir Path temp;

  private Path mountDir() {
    return temp.resolve("mount");
  }

  private static MountedSecrets.Builder manual(Path dir) {
    // No watch service, no poll within the test, and a quiet period long enough that the
    // reload thread's first check cannot read the plain layout while a test rewrites it.
    return MountedSecrets.builder().directory(dir).watch(false).pollInterval(Duration.ofHours(1))
        .quietPeriod(Duration.ofMinutes(1));
  }

  private static MountedSecrets open(Path dir) {
    return manual(dir).build();
  }

  private static Map<String, Object> files(Object... nameValue) {
    Map<String, Object> files = new LinkedHashMap<>();
    for (int i = 0; i < nameValue.length; i += 2) {
      files.put((String) nameValue[i], nameValue[i + 1]);
    }
    return files;
  }

  /** Returns the one WARN line about the file, which must start with the mount path. */
  private static String warningAbout(LogCapture logs, Path dir, String printableFile) {
    String prefix = dir + ": file '" + printableFile + "' ";
    List<String> matching = new ArrayList<>();
    for (String warning : logs.warnings()) {
      if (warning.startsWith(prefix)) {
        matching.add(warning);
      }
    }
    assertThat(matching).as("WARN lines about '%s' in %s", printableFile, logs.warnings()).hasSize(1);
    return matching.get(0);
  }

  private static boolean run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return false;
    }
    return process.exitValue() == 0;
  }

  // ---------------------------------------------------------------------------------------
  // Malformed JSON

  @ParameterizedTest
  @EnumSource(Layout.class)
  void malformedJsonServesRawTextAndKeepsTheLastGoodFields(Layout layout) {
    SecretsMount mount = SecretsMount.create(layout, mountDir()).publish(files(
        "prod-db", "{\"username\":\"app\",\"password\":\"pw-1\"}", "OTHER", "other-1"));
    try (MountedSecrets secrets = open(mount.directory()); LogCapture logs = LogCapture.capture()) {
      String broken = "{\"username\":\"app-2\",\n\"password\": pw-2-unquoted}";
      mount.publish(files("prod-db", broken, "OTHER", "other-2"));
      secrets.reload();

      assertThat(secrets.get("prod-db")).isEqualTo(broken);
      assertThat(secrets.get("OTHER")).isEqualTo("other-2");
      assertThat(secrets.status().state()).isEqualTo(MountState.READY);
      assertThat(secrets.status().invalidFiles()).containsOnlyKeys("prod-db");
      assertThat(secrets.status().invalidFiles().get("prod-db"))
          .matches("is not valid JSON at line 2, column \\d+; .*");

      String warning = warningAbout(logs, mount.directory(), "prod-db");
      if (layout == Layout.FILE_BY_FILE) {
        // Files written one by one: the fields keep their last good values, marked as such.
        assertThat(secrets.get("prod-db.username")).isEqualTo("app");
        assertThat(secrets.get("prod-db.password")).isEqualTo("pw-1");
        assertThat(secrets.snapshot().substitutedKeys())
            .containsExactly("prod-db.password", "prod-db.username");
        assertThat(warning).matches(".* is not valid JSON at line 2, column \\d+; raw text is "
            + "served, fields keep their last good values");
      } else {
        // One generation, as written: no field of an older generation is mixed in.
        assertThat(secrets.snapshot().keys()).containsExactly("OTHER", "prod-db");
        assertThat(secrets.snapshot().substitutedKeys()).isEmpty();
        assertThat(warning).matches(".* is not valid JSON at line 2, column \\d+; raw text is "
            + "served");
      }
      assertThat(warning).doesNotContain("pw-2", "app-2", "unquoted");
    }
  }

  @Test
  void malformedJsonAtStartupYieldsNoFieldsButTheRawText() {
    SecretsMount mount = SecretsMount.fileByFile(mountDir())
        .publish(files("prod-db", "{\"username\" \"app\"}", "OTHER", "o"));
    try (LogCapture logs = LogCapture.capture(); MountedSecrets secrets = open(mount.directory())) {
      assertThat(secrets.snapshot().keys()).containsExactly("OTHER", "prod-db");
      assertThat(secrets.status().invalidFiles()).containsOnlyKeys("prod-db");
      assertThat(warningAbout(logs, mount.directory(), "prod-db"))
          .contains("is not valid JSON at line 1, column ").doesNotContain("app");
    }
  }

  @ParameterizedTest
  @EnumSource(Layout.class)
  void jsonWithDuplicateFieldsIsInvalid(Layout layout) {
    SecretsMount mount = SecretsMount.create(layout, mountDir()).publish(files(
        "prod-db", "{\"username\":\"app\",\"password\":\"pw-1\"}"));
    try (MountedSecrets secrets = open(mount.directory()); LogCapture logs = LogCapture.capture()) {
      mount.put("prod-db", "{\"username\":\"app\",\"password\":\"first\",\"password\":\"second\"}");
      secrets.reload();

      assertThat(secrets.snapshot().find("prod-db.password"))
          .isEqualTo(layout == Layout.FILE_BY_FILE ? java.util.Optional.of("pw-1")
              : java.util.Optional.empty());
      assertThat(secrets.status().invalidFiles()).containsOnlyKeys("prod-db");
      assertThat(secrets.status().invalidFiles().get("prod-db")).startsWith("is not valid JSON");
      assertThat(warningAbout(logs, mount.directory(), "prod-db"))
          .contains("is not valid JSON").doesNotContain("first", "second");
    }
  }

  // ---------------------------------------------------------------------------------------
  // Invalid UTF-8

  @ParameterizedTest
  @EnumSource(Layout.class)
  void invalidUtf8IsServedAsBytesOnly(Layout layout) {
    byte[] bad = {'a', (byte) 0xC3, (byte) 0x28, 'z'};
    SecretsMount mount = SecretsMount.create(layout, mountDir()).publish(files(
        "BIN", "text-1", "prod-db", "{\"password\":\"pw-1\"}", "OTHER", "o"));
    try (MountedSecrets secrets = open(mount.directory()); LogCapture logs = LogCapture.capture()) {
      mount.publish(files("BIN", bad, "prod-db", new byte[] {'{', (byte) 0xFF, '}'}, "OTHER", "o"));
      secrets.reload();

      assertThat(secrets.getBytes("BIN")).isEqualTo(bad);
      SecretFormatException e = assertThrows(SecretFormatException.class, () -> secrets.get("BIN"));
      assertThat(e.key()).isEqualTo("BIN");
      assertThat(e.getMessage()).contains("'BIN'", mount.directory().toString(), "not valid UTF-8",
          "getBytes");
      assertThrows(SecretFormatException.class, () -> secrets.find("BIN"));
      // The JSON file turned into invalid UTF-8: where files are written one by one its fields
      // keep their last good values; a generation is served as written.
      assertThat(secrets.snapshot().find("prod-db.password"))
          .isEqualTo(layout == Layout.FILE_BY_FILE ? java.util.Optional.of("pw-1")
              : java.util.Optional.empty());
      assertThat(secrets.get("OTHER")).isEqualTo("o");
      assertThat(secrets.status().invalidFiles()).containsOnlyKeys("BIN", "prod-db");
      assertThat(warningAbout(logs, mount.directory(), "BIN")).contains("is not valid UTF-8");
      assertThat(warningAbout(logs, mount.directory(), "prod-db")).contains("is not valid UTF-8");
    }
  }

  // ---------------------------------------------------------------------------------------
  // Empty and oversized files

  @ParameterizedTest
  @EnumSource(Layout.class)
  void anEmptiedFileKeepsItsLastGoodValue(Layout layout) {
    SecretsMount mount = SecretsMount.create(layout, mountDir()).publish(files(
        "TOKEN", "token-1", "prod-db", "{\"password\":\"pw-1\"}", "OTHER", "o-1"));
    try (MountedSecrets secrets = open(mount.directory()); LogCapture logs = LogCapture.capture()) {
      mount.publish(files("TOKEN", "", "prod-db", "", "OTHER", "o-2"));
      secrets.reload();

      assertThat(secrets.get("OTHER")).isEqualTo("o-2");
      assertThat(secrets.status().invalidFiles()).containsOnlyKeys("TOKEN", "prod-db");
      if (layout == Layout.FILE_BY_FILE) {
        assertThat(secrets.get("TOKEN")).isEqualTo("token-1");
        assertThat(secrets.get("prod-db.password")).isEqualTo("pw-1");
        assertThat(secrets.snapshot().substitutedKeys())
            .containsExactly("TOKEN", "prod-db", "prod-db.password");
        assertThat(warningAbout(logs, mount.directory(), "TOKEN"))
            .endsWith("is empty; its last good value is kept");
      } else {
        // The generation holds an empty file: that is what is served, never an older value.
        assertThat(secrets.get("TOKEN")).isEmpty();
        assertThat(secrets.get("prod-db")).isEmpty();
        assertThat(secrets.snapshot().contains("prod-db.password")).isFalse();
        assertThat(secrets.snapshot().substitutedKeys()).isEmpty();
        assertThat(warningAbout(logs, mount.directory(), "TOKEN"))
            .endsWith("is empty; served as the empty string, as its generation holds it");
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Layout.class)
  void aFileOverMaxFileSizeIsNotReadAndKeepsItsLastGoodValue(Layout layout) {
    SecretsMount mount = SecretsMount.create(layout, mountDir()).publish(files(
        "TOKEN", "short", "BIG_AT_START", "0123456789abcdefXYZ", "OTHER", "o-1"));
    try (LogCapture startup = LogCapture.capture();
        MountedSecrets secrets = manual(mount.directory()).maxFileSize(16).build()) {
      assertThat(secrets.snapshot().contains("BIG_AT_START")).isFalse();
      assertThat(warningAbout(startup, mount.directory(), "BIG_AT_START"))
          .contains("is 19 bytes, over maxFileSize=16 bytes; not read");

      try (LogCapture logs = LogCapture.capture()) {
        mount.put("TOKEN", "this-is-longer-than-16");
        mount.put("OTHER", "o-2");
        secrets.reload();

        assertThat(secrets.snapshot().find("TOKEN")).isEqualTo(layout == Layout.FILE_BY_FILE
            ? java.util.Optional.of("short") : java.util.Optional.empty());
        assertThat(secrets.get("OTHER")).isEqualTo("o-2");
        assertThat(secrets.status().invalidFiles()).containsOnlyKeys("TOKEN", "BIG_AT_START");
        assertThat(warningAbout(logs, mount.directory(), "TOKEN"))
            .contains("is 22 bytes, over maxFileSize=16 bytes; not read")
            .doesNotContain("longer");
      }
    }
  }

  // ---------------------------------------------------------------------------------------
  // Special files: never opened

  /**
   * Replaces the regular file {@code name} of a plain mount by a special file, reloads, and
   * checks the usual promises.
   */
  private void assertSpecialFileIsSkipped(Path dir, String name, SpecialFileMaker maker)
      throws Exception {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve(name), "good-1");
    Files.writeString(dir.resolve("OTHER"), "o-1");
    try (MountedSecrets secrets = open(dir); LogCapture logs = LogCapture.capture()) {
      Files.delete(dir.resolve(name));
      maker.make(dir.resolve(name));
      Files.writeString(dir.resolve("OTHER"), "o-2");
      secrets.reload();

      assertThat(secrets.get(name)).isEqualTo("good-1");
      assertThat(secrets.get("OTHER")).isEqualTo("o-2");
      assertThat(secrets.status().invalidFiles()).containsOnlyKeys(name);
      assertThat(warningAbout(logs, dir, name))
          .endsWith("is not a regular file (a FIFO, socket or device); never opened");
    }
    // Present at startup: skipped as well.
    try (LogCapture logs = LogCapture.capture(); MountedSecrets fresh = open(dir)) {
      assertThat(fresh.snapshot().keys()).containsExactly("OTHER");
      assertThat(fresh.status().invalidFiles()).containsOnlyKeys(name);
      warningAbout(logs, dir, name);
    }
  }

  @FunctionalInterface
  private interface SpecialFileMaker {
    void make(Path path) throws Exception;
  }

  @Test
  @Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void aFifoIsNeverOpened() throws Exception {
    // Opening a FIFO without a writer blocks forever: the time-out turns that into a failure.
    assertSpecialFileIsSkipped(mountDir(), "pipe", path -> {
      assumeTrue(run("mkfifo", path.toString()), "mkfifo failed");
    });
  }

  @Test
  @Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void aUnixDomainSocketIsNeverOpened() throws Exception {
    List<ServerSocketChannel> channels = new CopyOnWriteArrayList<>();
    try {
      assertSpecialFileIsSkipped(mountDir(), "sock", path -> {
        ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        channels.add(channel);
        channel.bind(UnixDomainSocketAddress.of(path));
      });
    } finally {
      for (ServerSocketChannel channel : channels) {
        channel.close();
      }
    }
  }

  @Test
  @Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void aDeviceFileIsNeverOpened() throws Exception {
    assertSpecialFileIsSkipped(mountDir(), "dev", path -> {
      assumeTrue(run("mknod", path.toString(), "c", "1", "3"), "mknod is not permitted here");
    });
  }

  // ---------------------------------------------------------------------------------------
  // Symbolic links

  @Test
  void aSymbolicLinkLoopIsReportedAndTheLastGoodValuesKept() throws Exception {
    Path dir = Files.createDirectories(mountDir());
    Files.writeString(dir.resolve("a"), "a-1");
    Files.writeString(dir.resolve("b"), "b-1");
    Files.writeString(dir.resolve("OTHER"), "o-1");
    try (MountedSecrets secrets = open(dir); LogCapture logs = LogCapture.capture()) {
      Files.delete(dir.resolve("a"));
      Files.delete(dir.resolve("b"));
      Files.createSymbolicLink(dir.resolve("a"), Path.of("b"));
      Files.createSymbolicLink(dir.resolve("b"), Path.of("a"));
      Files.writeString(dir.resolve("OTHER"), "o-2");
      secrets.reload();

      assertThat(secrets.get("a")).isEqualTo("a-1");
      assertThat(secrets.get("b")).isEqualTo("b-1");
      assertThat(secrets.get("OTHER")).isEqualTo("o-2");
      assertThat(secrets.status().invalidFiles()).containsOnlyKeys("a", "b");
      assertThat(warningAbout(logs, dir, "a")).endsWith("is part of a symbolic link loop");
      assertThat(warningAbout(logs, dir, "b")).endsWith("is part of a symbolic link loop");
    }
  }

  @Test
  void aDirectoryLinkToItsOwnParentIsALoopNotARecursion() throws Exception {
    Path dir = Files.createDirectories(mountDir());
    Files.createDirectories(dir.resolve("sub"));
    Files.writeString(dir.resolve("sub/file"), "f");
    Files.createSymbolicLink(dir.resolve("sub/up"), Path.of(".."));
    try (LogCapture logs = LogCapture.capture(); MountedSecrets secrets = open(dir)) {
      assertThat(secrets.snapshot().keys()).containsExactly("sub/file");
      assertThat(secrets.status().invalidFiles()).containsOnlyKeys("sub/up");
      assertThat(warningAbout(logs, dir, "sub/up")).endsWith("is part of a symbolic link loop");
    }
  }

  @Test
  void aDanglingSymbolicLinkIsReportedAndTheLastGoodValueKept() throws Exception {
    SecretsMount mount = SecretsMount.fileByFile(mountDir()).publish(files("KEY", "k-1", "OTHER", "o-1"));
    try (MountedSecrets secrets = open(mount.directory()); LogCapture logs = LogCapture.capture()) {
      Files.delete(mount.directory().resolve("KEY"));
      mount.danglingLink("KEY");
      mount.put("OTHER", "o-2");
      secrets.reload();

      assertThat(secrets.get("KEY")).isEqualTo("k-1");
      assertThat(secrets.get("OTHER")).isEqualTo("o-2");
      assertThat(secrets.status().invalidFiles()).containsOnlyKeys("KEY");
      assertThat(warningAbout(logs, mount.directory(), "KEY"))
          .endsWith("is a dangling symbolic link (its target does not exist)");
    }
  }

  @Test
  void aLinkPointingOutsideThePlainMountIsRefusedThoughReadable() throws Exception {
    Path outside = Files.createDirectories(temp.resolve("outside"));
    Files.writeString(outside.resolve("secret.txt"), "outside-value");
    Path dir = Files.createDirectories(mountDir());
    Files.writeString(dir.resolve("EXT"), "ext-1");
    Files.writeString(dir.resolve("OTHER"), "o-1");
    try (MountedSecrets secrets = open(dir); LogCapture logs = LogCapture.capture()) {
      Files.delete(dir.resolve("EXT"));
      Files.createSymbolicLink(dir.resolve("EXT"), outside.resolve("secret.txt"));
      Files.createSymbolicLink(dir.resolve("REL"), Path.of("../outside/secret.txt"));
      Files.createSymbolicLink(dir.resolve("DIR"), outside);
      // A sibling whose name starts with the mount's name is outside, too.
      Path sibling = Files.createDirectories(temp.resolve("mount-sibling"));
      Files.writeString(sibling.resolve("secret.txt"), "sibling-value");
      Files.createSymbolicLink(dir.resolve("SIB"), Path.of("../mount-sibling/secret.txt"));
      assertThat(Files.readString(dir.resolve("EXT"))).isEqualTo("outside-value");
      secrets.reload();

      assertThat(secrets.get("EXT")).isEqualTo("ext-1");
      assertThat(secrets.find("REL")).isEmpty();
      assertThat(secrets.find("SIB")).isEmpty();
      assertThat(secrets.find("DIR/secret.txt")).isEmpty();
      assertThat(secrets.snapshot().keys()).containsExactly("EXT", "OTHER");
      assertThat(secrets.status().invalidFiles()).containsOnlyKeys("DIR", "EXT", "REL", "SIB");
      for (String name : List.of("DIR", "EXT", "REL", "SIB")) {
        assertThat(warningAbout(logs, dir, name))
            .endsWith("is a symbolic link pointing outside the mount; refused");
      }
    }
  }

  @Test
  void aLinkInsideTheGenerationPointingOutsideTheMountIsRefused() throws Exception {
    Path outside = Files.createDirectories(temp.resolve("outside"));
    Files.writeString(outside.resolve("secret.txt"), "outside-value");
    SecretsMount mount = SecretsMount.atomicWriter(mountDir()).publish(files("OTHER", "o-1"));
    try (MountedSecrets secrets = open(mount.directory()); LogCapture logs = LogCapture.capture()) {
      Path generation = mount.directory().resolve(mount.generation().orElseThrow());
      Files.createSymbolicLink(generation.resolve("EXT"), outside.resolve("secret.txt"));
      secrets.reload();

      assertThat(secrets.find("EXT")).isEmpty();
      assertThat(secrets.get("OTHER")).isEqualTo("o-1");
      assertThat(secrets.status().invalidFiles()).containsOnlyKeys("EXT");
      assertThat(warningAbout(logs, mount.directory(), "EXT"))
          .endsWith("is a symbolic link pointing outside the mount; refused");
    }
  }

  // ---------------------------------------------------------------------------------------
  // Unreadable files

  @ParameterizedTest
  @EnumSource(Layout.class)
  void anUnreadableFileIsReportedAndKeepsItsLastGoodValue(Layout layout) {
    SecretsMount mount = SecretsMount.create(layout, mountDir()).publish(files(
        "LOCKED", "locked-1", "OTHER", "o-1"));
    AtomicBoolean deny = new AtomicBoolean();
    OpenCheck openCheck = relative -> {
      if (deny.get() && relative.equals("LOCKED")) {
        throw new AccessDeniedException(relative);
      }
    };
    try (MountedSecrets secrets = manual(mount.directory()).openCheck(openCheck).build();
        LogCapture logs = LogCapture.capture()) {
      deny.set(true);
      mount.publish(files("LOCKED", "locked-2", "OTHER", "o-2"));
      secrets.reload();

      assertThat(secrets.snapshot().find("LOCKED")).isEqualTo(layout == Layout.FILE_BY_FILE
          ? java.util.Optional.of("locked-1") : java.util.Optional.empty());
      assertThat(secrets.get("OTHER")).isEqualTo("o-2");
      assertThat(secrets.status().state()).isEqualTo(MountState.READY);
      assertThat(secrets.status().invalidFiles()).containsOnlyKeys("LOCKED");
      assertThat(warningAbout(logs, mount.directory(), "LOCKED"))
          .contains("is not readable (permission denied); check the volume's file permission");

      // Readable again: fresh content, and an INFO that it is valid again.
      deny.set(false);
      secrets.reload();
      assertThat(secrets.get("LOCKED")).isEqualTo("locked-2");
      assertThat(secrets.status().invalidFiles()).isEmpty();
      assertThat(logs.messages()).contains(mount.directory() + ": file 'LOCKED' is valid again");
    }
  }

  @Test
  void aFileWithoutReadPermissionIsReported() throws Exception {
    Path dir = Files.createDirectories(mountDir());
    Path locked = Files.writeString(dir.resolve("LOCKED"), "locked-1");
    Files.writeString(dir.resolve("OTHER"), "o-1");
    Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
    try {
      assumeFalse(Files.isReadable(locked), "running as root: permissions do not deny reads");
      try (LogCapture logs = LogCapture.capture(); MountedSecrets secrets = open(dir)) {
        assertThat(secrets.snapshot().keys()).containsExactly("OTHER");
        assertThat(secrets.status().invalidFiles()).containsOnlyKeys("LOCKED");
        assertThat(warningAbout(logs, dir, "LOCKED")).contains("is not readable (permission denied)");
      }
    } finally {
      Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rw-------"));
    }
  }

  // ---------------------------------------------------------------------------------------
  // Nesting

  @ParameterizedTest
  @EnumSource(Layout.class)
  void directoriesNestedDeeperThanMaxDepthAreReportedAndSkipped(Layout layout) {
    SecretsMount mount = SecretsMount.create(layout, mountDir()).publish(files(
        "top", "t", "a/ok", "ok", "a/b/deep", "deep", "a/b/c/deeper", "deeper"));
    try (LogCapture logs = LogCapture.capture();
        MountedSecrets secrets = manual(mount.directory()).maxDepth(2).build()) {
      assertThat(secrets.snapshot().keys()).containsExactly("a/ok", "top");
      assertThat(secrets.status().invalidFiles()).containsOnlyKeys("a/b");
      assertThat(warningAbout(logs, mount.directory(), "a/b"))
          .endsWith("is a directory nested deeper than maxDepth=2; its files were not read");
    }
  }

  // ---------------------------------------------------------------------------------------
  // Odd names

  static Map<String, Object> oddNames() {
    return files(
        "with space", "v-space",
        "ünïcødé-秘密", "v-unicode",
        ARN, "{\"username\":\"app\",\"password\":\"pw\"}",
        "-leading-dash", "v-dash",
        ".hidden", "v-hidden",
        "line\nbreak", "v-newline");
  }

  @ParameterizedTest
  @EnumSource(Layout.class)
  void oddFileNamesAreKeysAndAreEscapedInLogs(Layout layout) {
    SecretsMount mount = SecretsMount.create(layout, mountDir()).publish(oddNames());
    try (MountedSecrets secrets = open(mount.directory()); LogCapture logs = LogCapture.capture()) {
      assertThat(secrets.get("with space")).isEqualTo("v-space");
      assertThat(secrets.get("ünïcødé-秘密")).isEqualTo("v-unicode");
      assertThat(secrets.get(ARN + ".password")).isEqualTo("pw");
      assertThat(secrets.databaseCredentials(ARN).username()).isEqualTo("app");
      assertThat(secrets.get("-leading-dash")).isEqualTo("v-dash");
      assertThat(secrets.get(".hidden")).isEqualTo("v-hidden");
      assertThat(secrets.get("line\nbreak")).isEqualTo("v-newline");
      assertThat(secrets.status().invalidFiles()).isEmpty();

      // Make the newline name bad and add another: both log lines escape the newline.
      mount.put("line\nbreak", "");
      mount.put("new\nname", "n");
      secrets.reload();
      assertThat(secrets.get("line\nbreak"))
          .isEqualTo(layout == Layout.FILE_BY_FILE ? "v-newline" : "");
      assertThat(secrets.status().invalidFiles()).containsOnlyKeys("line\nbreak");
      assertThat(warningAbout(logs, mount.directory(), "line\\u000abreak"))
          .contains("is empty; ");
      assertThat(logs.messages()).anyMatch(m -> m.contains("added [new\\u000aname]"));
      assertThat(logs.messages()).noneMatch(m -> m.indexOf('\n') >= 0 || m.indexOf('\r') >= 0);

      SecretNotFoundException e = assertThrows(SecretNotFoundException.class,
          () -> secrets.get("line\nbrea"));
      assertThat(e.getMessage()).contains("'line\\u000abrea'", "'line\\u000abreak'").doesNotContain("\n");
    }
  }

  @Test
  void aNewFileWhoseNameEndsInDigitsIsPickedUpByTheWatcher() {
    // Named like a writer's temp file, but no sibling: it is only trusted once reads in a row
    // found it, and then it is a key like any other.
    SecretsMount mount = SecretsMount.fileByFile(mountDir()).publish(files("OTHER", "o"));
    try (MountedSecrets secrets = MountedSecrets.builder().directory(mount.directory())
        .quietPeriod(Duration.ofMillis(20)).pollInterval(Duration.ofHours(1)).build()) {
      mount.put("cert-20240101", "c");
      Await.until(Duration.ofSeconds(5), () -> secrets.find("cert-20240101").isPresent(),
          () -> "cert-20240101 to be loaded; status " + secrets.status());
    }
  }

  // ---------------------------------------------------------------------------------------
  // Layout B temp files

  @Test
  void aLeftOverTempFileBesideAnExistingFileIsNeverAKey() {
    SecretsMount mount = SecretsMount.fileByFile(mountDir())
        .publish(files("DB_PASSWORD", "pw-1", "DB_USER", "u-1"));
    try (MountedSecrets secrets = open(mount.directory())) {
      Path tempFile = mount.leaveTempFile("DB_PASSWORD", "pw-2-half-written");
      assertThat(tempFile.getFileName().toString()).matches("DB_PASSWORD\\d+");
      // Left by a writer that died a minute ago (a younger one is a write under way, waited
      // for: RotationTest.aWriterStalledBeforeARenameIsWaitedForNotReadHalfDone).
      setLastModified(tempFile, Instant.now().minusSeconds(60));
      secrets.reload();
      assertThat(secrets.snapshot().keys()).containsExactly("DB_PASSWORD", "DB_USER");
      assertThat(secrets.get("DB_PASSWORD")).isEqualTo("pw-1");
    }
    try (MountedSecrets fresh = open(mount.directory())) {
      assertThat(fresh.snapshot().keys()).containsExactly("DB_PASSWORD", "DB_USER");
    }
  }

  private static void setLastModified(Path file, Instant time) {
    try {
      Files.setLastModifiedTime(file, FileTime.from(time));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void aTempFileNeverSurfacesWhileTheWatcherIsRunning() throws Exception {
    SecretsMount mount = SecretsMount.fileByFile(mountDir())
        .publish(files("DB_PASSWORD", "pw-1", "DB_USER", "u-1"));
    List<SecretsSnapshot> seen = new CopyOnWriteArrayList<>();
    try (MountedSecrets secrets = MountedSecrets.builder().directory(mount.directory())
        .quietPeriod(Duration.ofMillis(20)).pollInterval(Duration.ofMillis(50)).build()) {
      secrets.onChange(event -> seen.add(event.current()));
      mount.leaveTempFile("DB_PASSWORD", "pw-2-half-written");
      mount.leaveTempFile("DB_USER", "u-2-half-written");
      mount.publish(files("DB_PASSWORD", "pw-3", "DB_USER", "u-3"));
      Await.until(Duration.ofSeconds(10),
          () -> seen.stream().anyMatch(s -> s.find("DB_USER").orElse("").equals("u-3")),
          () -> "an event with the rotation to u-3");
      assertThat(seen).allSatisfy(snapshot ->
          assertThat(snapshot.keys()).containsExactly("DB_PASSWORD", "DB_USER"));
      assertThat(secrets.snapshot().keys()).containsExactly("DB_PASSWORD", "DB_USER");
    }
  }

  // ---------------------------------------------------------------------------------------
  // Gaps found while writing these tests (see the report)

  @Test
  void statusToStringEscapesOddFileNames() {
    SecretsMount mount = SecretsMount.atomicWriter(mountDir()).publish(files("line\nbreak", "", "OK", "o"));
    try (MountedSecrets secrets = open(mount.directory())) {
      assertThat(secrets.status().invalidFiles()).containsOnlyKeys("line\nbreak");
      assertThat(secrets.status().toString()).contains("line\\u000abreak").doesNotContain("\n");
    }
  }

  @Test
  void aShadowedJsonFieldIsWarnedAboutOnceAndNeverCalledAValidFile() {
    SecretsMount mount = SecretsMount.atomicWriter(mountDir())
        .publish(files("db", "{\"user\":\"from-json\"}", "db.user", "from-file", "OTHER", "o-1"));
    try (LogCapture logs = LogCapture.capture(); MountedSecrets secrets = open(mount.directory())) {
      assertThat(secrets.get("db.user")).isEqualTo("from-file");
      mount.put("OTHER", "o-2");
      secrets.reload();
      secrets.reload();
      assertThat(logs.warnings()).filteredOn(m -> m.contains("is both a file and a JSON field"))
          .hasSize(1);
      assertThat(logs.messages()).noneMatch(m -> m.contains("shadowed:"));
      assertThat(logs.messages()).noneMatch(m -> m.contains("is valid again"));
    }
  }

  @Test
  void aBadEntryDoesNotTurnEveryPollIntoAFullRead() throws Exception {
    Path dir = Files.createDirectories(mountDir());
    Files.writeString(dir.resolve("OTHER"), "o");
    Files.createSymbolicLink(dir.resolve("DANGLING"), Path.of("nowhere"));
    try (MountedSecrets secrets = open(dir)) {
      assertThat(secrets.reloader().identities()).isEqualTo(secrets.reloader().lastIdentities());
    }
  }

  @Test
  void aCleanPlainMountLooksUnchangedToThePoll() throws Exception {
    Path dir = Files.createDirectories(mountDir());
    Files.writeString(dir.resolve("OTHER"), "o");
    Files.createDirectories(dir.resolve("sub"));
    Files.write(dir.resolve("sub/bin"), "x".getBytes(StandardCharsets.UTF_8));
    try (MountedSecrets secrets = open(dir)) {
      assertThat(secrets.reloader().identities()).isEqualTo(secrets.reloader().lastIdentities());
    }
  }
}
