package io.github.mountedsecrets.test;

import static io.github.mountedsecrets.test.Disk.entries;
import static io.github.mountedsecrets.test.Disk.existsNoFollow;
import static io.github.mountedsecrets.test.Disk.isLink;
import static io.github.mountedsecrets.test.Disk.mode;
import static io.github.mountedsecrets.test.Disk.read;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.mountedsecrets.test.SecretsMount.Step;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Layout B (the AWS provider's own writer), checked against the spec on a subclass's file system. */
abstract class FileByFileContract {

  Path dir;
  SecretsMount mount;

  /** A directory that does not exist yet, on the file system under test. */
  abstract Path newMountDir() throws IOException;

  @BeforeEach
  void createMount() throws IOException {
    dir = newMountDir();
    mount = SecretsMount.fileByFile(dir);
  }

  private static Map<String, Object> ordered(Object... nameThenValue) {
    Map<String, Object> files = new LinkedHashMap<>();
    for (int i = 0; i < nameThenValue.length; i += 2) {
      files.put((String) nameThenValue[i], nameThenValue[i + 1]);
    }
    return files;
  }

  private static Pattern tempOf(String name) {
    return Pattern.compile(Pattern.quote(name) + "\\d+");
  }

  private Set<String> tempFilesIn(Path directory, String name) {
    return entries(directory).stream().filter(tempOf(name).asMatchPredicate()).collect(Collectors.toSet());
  }

  @Test
  void createsTheMountDirectory() {
    assertThat(dir).isDirectory();
    assertThat(entries(dir)).isEmpty();
    assertThat(mount.layout()).isEqualTo(SecretsMount.Layout.FILE_BY_FILE);
    assertThat(mount.generation()).isEmpty();
  }

  @Test
  void publishWritesPlainFilesAndLeavesNoTempFiles() {
    mount.publish(ordered("DB_USER", "app", "DB_PASSWORD", "s3cret",
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf", "{\"username\":\"app\"}"));

    assertThat(entries(dir)).containsExactlyInAnyOrder("DB_USER", "DB_PASSWORD",
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf");
    for (String name : entries(dir)) {
      assertThat(isLink(dir.resolve(name))).isFalse();
      assertThat(Files.isRegularFile(dir.resolve(name), LinkOption.NOFOLLOW_LINKS)).isTrue();
    }
    assertThat(read(dir.resolve("DB_USER"))).isEqualTo("app");
    assertThat(read(dir.resolve("DB_PASSWORD"))).isEqualTo("s3cret");
    assertThat(existsNoFollow(dir.resolve("..data"))).isFalse();
    assertThat(mount.generation()).isEmpty();
    assertThat(mount.rotations()).isEqualTo(1);
  }

  @Test
  void filesAreMode0644WhenTheFileStoreIsPosix() {
    mount.publish(ordered("a", "1", "nested/b", "2"));
    if (!Disk.isPosix(dir)) {
      // no modes to set: the files are written all the same
      assertThat(Files.getFileAttributeView(dir.resolve("a"), PosixFileAttributeView.class)).isNull();
      assertThat(read(dir.resolve("nested").resolve("b"))).isEqualTo("2");
      return;
    }

    assertThat(mode(dir.resolve("a"))).isEqualTo("rw-r--r--");
    assertThat(mode(dir.resolve("nested").resolve("b"))).isEqualTo("rw-r--r--");
  }

  @Test
  void contentIsByteExact() throws IOException {
    byte[] binary = {0, 1, (byte) 0xff, '\n', '\r'};
    String pem = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
    mount.publish(ordered("bin", binary, "key.pem", pem));

    assertThat(Files.readAllBytes(dir.resolve("bin"))).isEqualTo(binary);
    assertThat(Files.readAllBytes(dir.resolve("key.pem"))).isEqualTo(pem.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void filesMissingFromALaterPublishAreNotDeleted() {
    mount.publish(ordered("a", "1", "b", "2"));

    mount.publish(ordered("b", "3"));

    assertThat(entries(dir)).containsExactlyInAnyOrder("a", "b");
    assertThat(read(dir.resolve("a"))).isEqualTo("1");
    assertThat(read(dir.resolve("b"))).isEqualTo("3");
    assertThat(mount.rotations()).isEqualTo(2);
  }

  @Test
  void everyFileGoesThroughATempFileAndARenameInMapOrder() {
    List<Step> steps = new CopyOnWriteArrayList<>();
    List<String> renamedOrder = new ArrayList<>();
    mount.onStep(step -> {
      steps.add(step);
      if (step == Step.TEMP_FILE_WRITTEN) {
        entries(dir).stream().filter(n -> n.matches("[abc]\\d+")).forEach(n -> renamedOrder.add(n.substring(0, 1)));
      }
    });

    mount.publish(ordered("c", "1", "a", "2", "b", "3"));

    assertThat(steps).containsExactly(Step.TEMP_FILE_WRITTEN, Step.FILE_RENAMED, Step.TEMP_FILE_WRITTEN,
        Step.FILE_RENAMED, Step.TEMP_FILE_WRITTEN, Step.FILE_RENAMED);
    assertThat(renamedOrder).containsExactly("c", "a", "b");
  }

  @Test
  void theTempFileIsVisibleCompleteAndBesideTheFinalNameBeforeTheRename() {
    mount.publish(ordered("token", "old"));
    Path token = dir.resolve("token");
    List<Step> seen = new ArrayList<>();

    mount.onStep(step -> {
      seen.add(step);
      Set<String> temps = tempFilesIn(dir, "token");
      if (step == Step.TEMP_FILE_WRITTEN) {
        assertThat(temps).hasSize(1);
        Path temp = dir.resolve(temps.iterator().next());
        assertThat(Files.isRegularFile(temp, LinkOption.NOFOLLOW_LINKS)).isTrue();
        assertThat(read(temp)).isEqualTo("new");
        if (Disk.isPosix(dir)) {
          assertThat(mode(temp)).isEqualTo("rw-r--r--");
        }
        assertThat(read(token)).isEqualTo("old");
      } else if (step == Step.FILE_RENAMED) {
        assertThat(temps).isEmpty();
        assertThat(read(token)).isEqualTo("new");
      } else {
        throw new AssertionError("layout B must not reach " + step);
      }
    });
    mount.publish(ordered("token", "new"));

    assertThat(seen).containsExactly(Step.TEMP_FILE_WRITTEN, Step.FILE_RENAMED);
    assertThat(entries(dir)).containsExactly("token");
  }

  @Test
  void aSetOfFilesIsNotSwitchedAtomically() {
    mount.publish(ordered("DB_USER", "u1", "DB_PASSWORD", "p1"));
    List<String> halfway = new ArrayList<>();

    mount.onStep(step -> {
      if (step == Step.FILE_RENAMED && halfway.isEmpty()) {
        halfway.add(read(dir.resolve("DB_USER")));
        halfway.add(read(dir.resolve("DB_PASSWORD")));
      }
    });
    mount.publish(ordered("DB_USER", "u2", "DB_PASSWORD", "p2"));

    assertThat(halfway).containsExactly("u2", "p1");
    assertThat(read(dir.resolve("DB_PASSWORD"))).isEqualTo("p2");
  }

  @Test
  void unchangedFilesAreRewrittenOnEveryPublish() {
    mount.publish(ordered("a", "1", "b", "2"));
    List<Step> steps = new CopyOnWriteArrayList<>();
    mount.onStep(steps::add);

    mount.publish(ordered("a", "1", "b", "2"));

    assertThat(steps).containsExactly(Step.TEMP_FILE_WRITTEN, Step.FILE_RENAMED, Step.TEMP_FILE_WRITTEN,
        Step.FILE_RENAMED);
    assertThat(mount.rotations()).isEqualTo(2);
  }

  @Test
  void rewriteUnchangedReplacesEveryFileWithANewFileOfTheSameContent() {
    mount.publish(ordered("a", "1", "nested/b", "2"));
    Object keyA = Disk.fileKey(dir.resolve("a"));
    Object keyB = Disk.fileKey(dir.resolve("nested").resolve("b"));
    assertThat(keyA).as("file key").isNotNull();
    List<Step> steps = new CopyOnWriteArrayList<>();
    mount.onStep(steps::add);

    mount.rewriteUnchanged();

    assertThat(Disk.fileKey(dir.resolve("a"))).isNotEqualTo(keyA);
    assertThat(Disk.fileKey(dir.resolve("nested").resolve("b"))).isNotEqualTo(keyB);
    assertThat(read(dir.resolve("a"))).isEqualTo("1");
    assertThat(read(dir.resolve("nested").resolve("b"))).isEqualTo("2");
    assertThat(steps).hasSize(4);
    assertThat(entries(dir)).containsExactlyInAnyOrder("a", "nested");
    assertThat(entries(dir.resolve("nested"))).containsExactly("b");
    assertThat(mount.rotations()).isEqualTo(1);
  }

  @Test
  void nestedNamesGetRealDirectoriesAndTheirTempFileBesideThem() {
    List<Set<String>> tempsSeen = new ArrayList<>();
    mount.onStep(step -> {
      if (step == Step.TEMP_FILE_WRITTEN) {
        tempsSeen.add(tempFilesIn(dir.resolve("certs"), "tls.crt"));
        assertThat(entries(dir)).containsExactly("certs");
      }
    });

    mount.publish(ordered("certs/tls.crt", "C"));

    assertThat(tempsSeen).hasSize(1);
    assertThat(tempsSeen.get(0)).hasSize(1);
    assertThat(isLink(dir.resolve("certs"))).isFalse();
    assertThat(Files.isDirectory(dir.resolve("certs"), LinkOption.NOFOLLOW_LINKS)).isTrue();
    assertThat(entries(dir.resolve("certs"))).containsExactly("tls.crt");
    assertThat(read(dir.resolve("certs").resolve("tls.crt"))).isEqualTo("C");
  }

  @Test
  void putWritesOneFileAndKeepsTheOthers() {
    mount.publish(ordered("a", "1", "b", "2"));
    Object keyA = Disk.fileKey(dir.resolve("a"));
    List<Step> steps = new CopyOnWriteArrayList<>();
    mount.onStep(steps::add);

    mount.put("b", "3");

    assertThat(steps).containsExactly(Step.TEMP_FILE_WRITTEN, Step.FILE_RENAMED);
    assertThat(read(dir.resolve("b"))).isEqualTo("3");
    assertThat(Disk.fileKey(dir.resolve("a"))).isEqualTo(keyA);
    assertThat(mount.rotations()).isEqualTo(2);
  }

  @Test
  void removeDeletesTheFile() {
    mount.publish(ordered("a", "1", "b", "2", "d/x", "3", "d/y", "4"));
    List<Step> steps = new CopyOnWriteArrayList<>();
    mount.onStep(steps::add);

    mount.remove("a");
    assertThat(entries(dir)).containsExactlyInAnyOrder("b", "d");
    mount.remove("d");
    assertThat(entries(dir)).containsExactly("b");
    mount.remove("missing");

    assertThat(steps).containsExactly(Step.FILE_DELETED, Step.FILE_DELETED, Step.FILE_DELETED);
    assertThat(mount.rotations()).isEqualTo(3);

    mount.rewriteUnchanged();
    assertThat(entries(dir)).containsExactly("b");
  }

  @Test
  void leaveTempFileLeavesAVisibleTempFileNamedAfterTheFile() {
    mount.publish(ordered("token", "current"));

    Path temp = mount.leaveTempFile("token", "half");

    assertThat(temp.getParent()).isEqualTo(dir);
    assertThat(temp.getFileName().toString()).matches(tempOf("token"));
    assertThat(read(temp)).isEqualTo("half");
    assertThat(read(dir.resolve("token"))).isEqualTo("current");
    assertThat(entries(dir)).containsExactlyInAnyOrder("token", temp.getFileName().toString());
    assertThat(mount.rotations()).isEqualTo(1);

    mount.publish(ordered("token", "next"));
    assertThat(read(temp)).isEqualTo("half");
    assertThat(read(dir.resolve("token"))).isEqualTo("next");
  }

  @Test
  void leaveTempFileWorksForANameNeverPublishedAndForNestedNames() {
    Path temp = mount.leaveTempFile("certs/tls.key", new byte[] {1, 2});

    assertThat(temp.getParent()).isEqualTo(dir.resolve("certs"));
    assertThat(temp.getFileName().toString()).matches(tempOf("tls.key"));
    assertThat(existsNoFollow(dir.resolve("certs").resolve("tls.key"))).isFalse();
  }

  @Test
  void danglingLinkPointsNowhere() {
    Path link = mount.danglingLink("ghost");

    assertThat(isLink(link)).isTrue();
    assertThat(Files.exists(link)).isFalse();
  }

  @Test
  void aNewMountOnTheSameDirectoryContinuesFromDisk() {
    mount.publish(ordered("a", "1", "d/b", "2"));
    Object key = Disk.fileKey(dir.resolve("d").resolve("b"));
    assertThat(key).as("file key").isNotNull();

    SecretsMount.fileByFile(dir).rewriteUnchanged();

    assertThat(Disk.fileKey(dir.resolve("d").resolve("b"))).isNotEqualTo(key);
    assertThat(read(dir.resolve("d").resolve("b"))).isEqualTo("2");
  }
}
