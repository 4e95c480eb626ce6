package io.github.mountedsecrets.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** Step 1 of the atomic writer: which payload paths and values are rejected, and why. */
class PathValidationTest {

  private FileSystem fs;
  private Path dir;

  @BeforeEach
  void createFileSystem() {
    fs = TestFileSystems.jimfsUnix();
    dir = fs.getPath("/mnt/secrets");
  }

  @AfterEach
  void closeFileSystem() throws IOException {
    fs.close();
  }

  @ParameterizedTest(name = "[{index}] {0} with {1}")
  @CsvSource(delimiter = '|', value = {
    "ATOMIC_WRITER | ../x         | must not contain a '..' element",
    "ATOMIC_WRITER | a/../b       | must not contain a '..' element",
    "ATOMIC_WRITER | a/..         | must not contain a '..' element",
    "ATOMIC_WRITER | /etc/passwd  | must be relative",
    "ATOMIC_WRITER | ..data       | must not start with '..'",
    "ATOMIC_WRITER | ...          | must not start with '..'",
    "ATOMIC_WRITER | ..2024/x     | must not start with '..'",
    "ATOMIC_WRITER | a//b         | must be clean",
    "ATOMIC_WRITER | a/           | must be clean",
    "ATOMIC_WRITER | ./a          | must be clean",
    "ATOMIC_WRITER | a/./b        | must be clean",
    "ATOMIC_WRITER | .            | must be clean",
    "FILE_BY_FILE  | ../x         | must not contain a '..' element",
    "FILE_BY_FILE  | /abs         | must be relative",
    "FILE_BY_FILE  | a//b         | must be clean",
  })
  void invalidPathsAreRejectedNamingTheRule(SecretsMount.Layout layout, String path, String rule) {
    SecretsMount mount = SecretsMount.create(layout, dir);

    assertThatThrownBy(() -> mount.publish(Map.of(path, "v")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("invalid path \"" + path + "\": ")
        .hasMessageContaining(rule);
    assertThatThrownBy(() -> mount.put(path, "v")).hasMessageContaining(rule);
    assertThatThrownBy(() -> mount.remove(path)).hasMessageContaining(rule);
    assertThat(Disk.entries(dir)).isEmpty();
    assertThat(mount.rotations()).isZero();
  }

  @Test
  void emptyAndNullPathsAreRejected() {
    SecretsMount mount = SecretsMount.atomicWriter(dir);
    Map<String, Object> nullKey = new HashMap<>();
    nullKey.put(null, "v");

    assertThatThrownBy(() -> mount.publish(Map.of("", "v"))).hasMessage("invalid path \"\": must not be empty");
    assertThatThrownBy(() -> mount.publish(nullKey)).hasMessageContaining("must not be null");
  }

  @Test
  void namesMayBe255BytesLongButNotLonger() {
    SecretsMount mount = SecretsMount.atomicWriter(dir);
    String longest = "x".repeat(255);

    mount.publish(Map.of(longest, "ok"));
    assertThat(Disk.read(dir.resolve(longest))).isEqualTo("ok");

    assertThatThrownBy(() -> mount.put("d/" + "y".repeat(256), "v"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("each name must be at most 255 bytes");
    // 128 two-byte characters are 256 bytes
    assertThatThrownBy(() -> mount.put("ä".repeat(128), "v"))
        .hasMessageContaining("each name must be at most 255 bytes");
  }

  @Test
  void wholePathsMayBeAtMost4096Bytes() {
    SecretsMount mount = SecretsMount.atomicWriter(dir);
    String tooLong = "abcdefg/".repeat(512) + "x";

    assertThatThrownBy(() -> mount.put(tooLong, "v"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be at most 4096 bytes");
  }

  @Test
  void namesStartingWithASingleDotAreRealKeys() {
    SecretsMount mount = SecretsMount.atomicWriter(dir);

    mount.publish(Map.of(".dockerconfigjson", "{}", ".a/.b", "c"));

    assertThat(Disk.read(dir.resolve(".dockerconfigjson"))).isEqualTo("{}");
    assertThat(Disk.read(dir.resolve(".a").resolve(".b"))).isEqualTo("c");
  }

  @ParameterizedTest
  @EnumSource(SecretsMount.Layout.class)
  void unsupportedValuesAreRejectedBeforeAnythingIsWritten(SecretsMount.Layout layout) {
    SecretsMount mount = SecretsMount.create(layout, dir);
    Map<String, Object> withNull = new LinkedHashMap<>();
    withNull.put("ok", "v");
    withNull.put("nothing", null);
    Map<String, Object> withNumber = new LinkedHashMap<>();
    withNumber.put("ok", "v");
    withNumber.put("port", 5432);

    assertThatThrownBy(() -> mount.publish(withNull))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("value of \"nothing\" is null");
    assertThatThrownBy(() -> mount.publish(withNumber))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("value of \"port\" must be a String or byte[], not java.lang.Integer");
    assertThat(Disk.entries(dir)).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(SecretsMount.Layout.class)
  void aPathCannotBeBothAFileAndADirectory(SecretsMount.Layout layout) {
    SecretsMount mount = SecretsMount.create(layout, dir);
    Map<String, Object> files = new LinkedHashMap<>();
    files.put("a", "file");
    files.put("a/b/c", "below");

    assertThatThrownBy(() -> mount.publish(files))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid path \"a/b/c\": needs \"a\" to be a directory, but \"a\" is also a file");
    assertThat(Disk.entries(dir)).isEmpty();
  }

  @Test
  void danglingLinkNamesMustBeSingleNames(@TempDir Path temp) {
    SecretsMount mount = SecretsMount.fileByFile(temp);

    assertThatThrownBy(() -> mount.danglingLink("a/b")).hasMessageContaining("without '/'");
    assertThatThrownBy(() -> mount.danglingLink("..data")).hasMessageContaining("must not start with '..'");
  }
}
