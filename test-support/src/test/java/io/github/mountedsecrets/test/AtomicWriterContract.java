package io.github.mountedsecrets.test;

import static io.github.mountedsecrets.test.Disk.entries;
import static io.github.mountedsecrets.test.Disk.existsNoFollow;
import static io.github.mountedsecrets.test.Disk.isLink;
import static io.github.mountedsecrets.test.Disk.linkTarget;
import static io.github.mountedsecrets.test.Disk.mode;
import static io.github.mountedsecrets.test.Disk.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.mountedsecrets.test.SecretsMount.Step;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Layout A (the atomic writer), checked against the spec on whatever file system a subclass provides. */
abstract class AtomicWriterContract {

  static final Pattern GENERATION = Pattern.compile("\\.\\.\\d{4}_\\d{2}_\\d{2}_\\d{2}_\\d{2}_\\d{2}\\.\\d+");
  static final List<Step> ALL_STEPS = List.of(Step.GENERATION_CREATED, Step.GENERATION_WRITTEN,
      Step.LINKS_CREATED, Step.DATA_TMP_CREATED, Step.DATA_SWITCHED, Step.STALE_LINKS_REMOVED,
      Step.OLD_GENERATION_REMOVED);

  Path dir;
  SecretsMount mount;

  /** A directory that does not exist yet, on the file system under test. */
  abstract Path newMountDir() throws IOException;

  @BeforeEach
  void createMount() throws IOException {
    dir = newMountDir();
    mount = SecretsMount.atomicWriter(dir);
  }

  private Path data() {
    return dir.resolve("..data");
  }

  private String generation() {
    return linkTarget(data());
  }

  private Set<String> generationDirs() {
    return entries(dir).stream().filter(GENERATION.asMatchPredicate()).collect(Collectors.toSet());
  }

  @Test
  void createsTheMountDirectory() {
    assertThat(dir).isDirectory();
    assertThat(entries(dir)).isEmpty();
    assertThat(mount.directory()).isEqualTo(dir);
    assertThat(mount.layout()).isEqualTo(SecretsMount.Layout.ATOMIC_WRITER);
    assertThat(mount.generation()).isEmpty();
    assertThat(mount.rotations()).isZero();
  }

  @Test
  void publishCreatesGenerationDataLinkAndVisibleLinks() {
    mount.publish(Map.of("username", "app", "password", "s3cret", ".dockerconfigjson", "{}"));

    String generation = generation();
    assertThat(generation).matches(GENERATION);
    assertThat(mount.generation()).contains(generation);
    assertThat(dir.resolve(generation)).isDirectory();
    assertThat(isLink(dir.resolve(generation))).isFalse();
    assertThat(entries(dir)).containsExactlyInAnyOrder("..data", generation, "username", "password",
        ".dockerconfigjson");
    assertThat(entries(dir.resolve(generation))).containsExactlyInAnyOrder("username", "password",
        ".dockerconfigjson");
    for (String name : List.of("username", "password", ".dockerconfigjson")) {
      assertThat(isLink(dir.resolve(name))).as(name + " is a link").isTrue();
      assertThat(linkTarget(dir.resolve(name))).isEqualTo(dir.getFileSystem().getPath("..data", name).toString());
      assertThat(isLink(dir.resolve(generation).resolve(name))).isFalse();
      assertThat(dir.resolve(generation).resolve(name)).isRegularFile();
    }
    assertThat(read(dir.resolve("username"))).isEqualTo("app");
    assertThat(read(dir.resolve("password"))).isEqualTo("s3cret");
    assertThat(read(dir.resolve(".dockerconfigjson"))).isEqualTo("{}");
    assertThat(mount.rotations()).isEqualTo(1);
  }

  @Test
  void generationNameIsTheCurrentUtcSecond() {
    String before = java.time.format.DateTimeFormatter.ofPattern("uuuu_MM_dd_HH_mm_ss")
        .format(java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC));
    mount.publish(Map.of("a", "1"));
    String after = java.time.format.DateTimeFormatter.ofPattern("uuuu_MM_dd_HH_mm_ss")
        .format(java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC));

    String stamp = generation().substring(2, 2 + before.length());
    assertThat(stamp).isBetween(before, after);
  }

  @Test
  void setsModesWhenTheFileStoreIsPosix() {
    mount.publish(Map.of("a", "1", "certs/tls.crt", "C"));
    Path generation = dir.resolve(generation());
    if (!Disk.isPosix(dir)) {
      // no modes to set: the files are written all the same
      assertThat(Files.getFileAttributeView(generation.resolve("a"), PosixFileAttributeView.class)).isNull();
      assertThat(read(dir.resolve("certs").resolve("tls.crt"))).isEqualTo("C");
      return;
    }
    assertThat(mode(generation)).isEqualTo("rwxr-xr-x");
    assertThat(mode(generation.resolve("certs"))).isEqualTo("rwxr-xr-x");
    assertThat(mode(generation.resolve("a"))).isEqualTo("rw-r--r--");
    assertThat(mode(generation.resolve("certs").resolve("tls.crt"))).isEqualTo("rw-r--r--");
  }

  @Test
  void contentIsByteExact() throws IOException {
    String pem = "-----BEGIN CERTIFICATE-----\nMIIB\r\nAAAA\n-----END CERTIFICATE-----\n";
    byte[] binary = new byte[256];
    for (int i = 0; i < binary.length; i++) {
      binary[i] = (byte) i;
    }
    mount.publish(Map.of("tls.crt", pem, "keystore.p12", binary, "unicode", "pässwört ✓"));

    assertThat(Files.readAllBytes(dir.resolve("tls.crt"))).isEqualTo(pem.getBytes(StandardCharsets.UTF_8));
    assertThat(Files.readAllBytes(dir.resolve("keystore.p12"))).isEqualTo(binary);
    assertThat(Files.readAllBytes(dir.resolve("unicode"))).isEqualTo("pässwört ✓".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void nestedPathsAreLinkedByTheirFirstComponentOnly() {
    mount.publish(Map.of("certs/tls.crt", "C", "certs/tls.key", "K", "token", "T", "history/0", "v0",
        "history/deep/1", "v1"));

    String generation = generation();
    assertThat(entries(dir)).containsExactlyInAnyOrder("..data", generation, "certs", "token", "history");
    assertThat(isLink(dir.resolve("certs"))).isTrue();
    assertThat(linkTarget(dir.resolve("certs"))).isEqualTo(dir.getFileSystem().getPath("..data", "certs").toString());
    assertThat(linkTarget(dir.resolve("history"))).isEqualTo(dir.getFileSystem().getPath("..data", "history").toString());
    assertThat(dir.resolve("certs")).isDirectory();
    assertThat(isLink(dir.resolve(generation).resolve("certs"))).isFalse();
    assertThat(dir.resolve(generation).resolve("certs")).isDirectory();
    assertThat(entries(dir.resolve("certs"))).containsExactlyInAnyOrder("tls.crt", "tls.key");
    assertThat(isLink(dir.resolve("certs").resolve("tls.crt"))).isFalse();
    assertThat(read(dir.resolve("certs").resolve("tls.crt"))).isEqualTo("C");
    assertThat(read(dir.resolve("history").resolve("deep").resolve("1"))).isEqualTo("v1");
  }

  @Test
  void unchangedPublishWritesNothing() {
    mount.publish(Map.of("a", "1", "b", "2", "c/d", "3"));
    String generation = generation();
    Set<String> before = entries(dir);
    Object key = Disk.fileKey(dir.resolve(generation).resolve("a"));
    List<Step> steps = new CopyOnWriteArrayList<>();
    mount.onStep(steps::add);

    Map<String, Object> same = new LinkedHashMap<>();
    same.put("c/d", "3".getBytes(StandardCharsets.UTF_8));
    same.put("b", "2");
    same.put("a", new byte[] {'1'});
    mount.publish(same);

    assertThat(steps).isEmpty();
    assertThat(generation()).isEqualTo(generation);
    assertThat(mount.generation()).contains(generation);
    assertThat(entries(dir)).isEqualTo(before);
    assertThat(Disk.fileKey(dir.resolve(generation).resolve("a"))).isEqualTo(key);
    assertThat(mount.rotations()).isEqualTo(1);
  }

  @Test
  void changedPublishSwitchesToANewGenerationAndRemovesTheOldOne() {
    mount.publish(Map.of("a", "1", "b", "2"));
    String first = generation();

    mount.publish(Map.of("a", "1", "b", "changed"));

    String second = generation();
    assertThat(second).matches(GENERATION).isNotEqualTo(first);
    assertThat(existsNoFollow(dir.resolve(first))).isFalse();
    assertThat(generationDirs()).containsExactly(second);
    assertThat(entries(dir)).containsExactlyInAnyOrder("..data", second, "a", "b");
    assertThat(read(dir.resolve("a"))).isEqualTo("1");
    assertThat(read(dir.resolve("b"))).isEqualTo("changed");
    assertThat(mount.rotations()).isEqualTo(2);
  }

  @Test
  void removedNamesLoseTheirLink() {
    mount.publish(Map.of("a", "1", "b", "2", "nested/x", "3"));

    mount.publish(Map.of("a", "1"));

    assertThat(entries(dir)).containsExactlyInAnyOrder("..data", generation(), "a");
    assertThat(existsNoFollow(dir.resolve("b"))).isFalse();
    assertThat(existsNoFollow(dir.resolve("nested"))).isFalse();
    assertThat(entries(dir.resolve(generation()))).containsExactly("a");
    assertThat(mount.rotations()).isEqualTo(2);
  }

  @Test
  void removingOneFileOfANestedDirectoryKeepsTheDirectoryLink() {
    mount.publish(Map.of("d/x", "1", "d/y", "2"));

    mount.publish(Map.of("d/x", "1"));

    assertThat(isLink(dir.resolve("d"))).isTrue();
    assertThat(entries(dir.resolve("d"))).containsExactly("x");
    assertThat(read(dir.resolve("d").resolve("x"))).isEqualTo("1");
    assertThat(mount.rotations()).isEqualTo(2);
  }

  @Test
  void aFileThatBecomesADirectoryKeepsItsLink() {
    mount.publish(Map.of("cert", "single"));

    mount.publish(Map.of("cert/0", "v0", "cert/1", "v1"));

    assertThat(isLink(dir.resolve("cert"))).isTrue();
    assertThat(dir.resolve("cert")).isDirectory();
    assertThat(read(dir.resolve("cert").resolve("1"))).isEqualTo("v1");
  }

  @Test
  void putKeepsTheOtherFilesAndRemoveDropsTheLink() {
    mount.publish(Map.of("a", "1", "b", "2"));
    String first = generation();

    mount.put("b", "3");
    String second = generation();
    assertThat(second).isNotEqualTo(first);
    assertThat(read(dir.resolve("a"))).isEqualTo("1");
    assertThat(read(dir.resolve("b"))).isEqualTo("3");

    mount.put("c", new byte[] {'4'});
    assertThat(read(dir.resolve("c"))).isEqualTo("4");
    assertThat(isLink(dir.resolve("c"))).isTrue();

    mount.remove("a");
    assertThat(existsNoFollow(dir.resolve("a"))).isFalse();
    assertThat(entries(dir)).containsExactlyInAnyOrder("..data", generation(), "b", "c");
    assertThat(mount.rotations()).isEqualTo(4);
  }

  @Test
  void putOfAnUnchangedValueAndRemoveOfAMissingNameWriteNothing() {
    mount.publish(Map.of("a", "1"));
    String generation = generation();
    List<Step> steps = new CopyOnWriteArrayList<>();
    mount.onStep(steps::add);

    mount.put("a", "1");
    mount.remove("missing");

    assertThat(steps).isEmpty();
    assertThat(generation()).isEqualTo(generation);
    assertThat(mount.rotations()).isEqualTo(1);
  }

  @Test
  void removeOfADirectoryNameRemovesEveryFileBelowIt() {
    mount.publish(Map.of("d/x", "1", "d/y", "2", "keep", "3"));

    mount.remove("d");

    assertThat(entries(dir)).containsExactlyInAnyOrder("..data", generation(), "keep");
  }

  @Test
  void rewriteUnchangedWritesNothing() {
    mount.publish(Map.of("a", "1", "b", "2"));
    String generation = generation();
    Object key = Disk.fileKey(dir.resolve(generation).resolve("a"));
    List<Step> steps = new CopyOnWriteArrayList<>();
    mount.onStep(steps::add);

    mount.rewriteUnchanged();

    assertThat(steps).isEmpty();
    assertThat(generation()).isEqualTo(generation);
    assertThat(Disk.fileKey(dir.resolve(generation).resolve("a"))).isEqualTo(key);
    assertThat(mount.rotations()).isEqualTo(1);
  }

  @Test
  void hookSeesEveryStepInOrder() {
    List<Step> steps = new CopyOnWriteArrayList<>();
    mount.onStep(steps::add);

    mount.publish(Map.of("a", "1"));
    assertThat(steps).containsExactlyElementsOf(ALL_STEPS);

    steps.clear();
    mount.publish(Map.of("b", "2"));
    assertThat(steps).containsExactlyElementsOf(ALL_STEPS);
  }

  @Test
  void hookSeesTheHalfWrittenStatesBetweenSteps() {
    mount.publish(Map.of("a", "1", "old", "x"));
    String first = generation();
    Path added = dir.resolve("added");
    Path old = dir.resolve("old");
    List<Step> seen = new ArrayList<>();

    mount.onStep(step -> {
      seen.add(step);
      Set<String> generations = generationDirs();
      switch (step) {
        case GENERATION_CREATED:
          assertThat(generations).hasSize(2).contains(first);
          assertThat(generation()).isEqualTo(first);
          break;
        case GENERATION_WRITTEN:
          String second = generations.stream().filter(g -> !g.equals(first)).findFirst().orElseThrow();
          assertThat(entries(dir.resolve(second))).containsExactlyInAnyOrder("a", "added");
          assertThat(read(dir.resolve(second).resolve("a"))).isEqualTo("2");
          assertThat(generation()).isEqualTo(first);
          assertThat(existsNoFollow(added)).isFalse();
          assertThat(read(dir.resolve("a"))).isEqualTo("1");
          break;
        case LINKS_CREATED:
          // the new link exists but dangles: ..data still points to the old generation
          assertThat(isLink(added)).isTrue();
          assertThat(existsNoFollow(added)).isTrue();
          assertThat(Files.exists(added)).isFalse();
          assertThat(generation()).isEqualTo(first);
          assertThat(read(dir.resolve("a"))).isEqualTo("1");
          assertThat(read(old)).isEqualTo("x");
          break;
        case DATA_TMP_CREATED:
          assertThat(generations).hasSize(2);
          assertThat(linkTarget(dir.resolve("..data_tmp"))).isNotEqualTo(first).matches(GENERATION);
          assertThat(generation()).isEqualTo(first);
          break;
        case DATA_SWITCHED:
          assertThat(existsNoFollow(dir.resolve("..data_tmp"))).isFalse();
          assertThat(generation()).isNotEqualTo(first);
          assertThat(read(added)).isEqualTo("new");
          assertThat(read(dir.resolve("a"))).isEqualTo("2");
          // the link of the removed name is still there, dangling, until step 9
          assertThat(isLink(old)).isTrue();
          assertThat(Files.exists(old)).isFalse();
          assertThat(dir.resolve(first)).isDirectory();
          break;
        case STALE_LINKS_REMOVED:
          assertThat(existsNoFollow(old)).isFalse();
          assertThat(dir.resolve(first)).isDirectory();
          break;
        case OLD_GENERATION_REMOVED:
          assertThat(existsNoFollow(dir.resolve(first))).isFalse();
          assertThat(generations).hasSize(1);
          break;
        default:
          throw new AssertionError("layout A must not reach " + step);
      }
    });
    mount.publish(Map.of("a", "2", "added", "new"));

    assertThat(seen).containsExactlyElementsOf(ALL_STEPS);
  }

  @Test
  void generationNamesAreUniqueEvenWithinOneSecond() {
    List<String> generations = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      mount.put("counter", Integer.toString(i));
      generations.add(generation());
    }

    assertThat(new HashSet<>(generations)).hasSize(50);
    assertThat(generations).allMatch(GENERATION.asMatchPredicate());
    // 50 rotations span far fewer than 50 seconds, so some share their timestamp
    Map<String, Long> perSecond = generations.stream()
        .collect(Collectors.groupingBy(g -> g.substring(0, g.lastIndexOf('.')), Collectors.counting()));
    assertThat(perSecond.values()).anyMatch(count -> count > 1);
    assertThat(generationDirs()).hasSize(1);
    assertThat(mount.rotations()).isEqualTo(50);
  }

  @Test
  void leaveTempFileIsOnlyForFileByFile() {
    assertThatThrownBy(() -> mount.leaveTempFile("a", "1"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("FILE_BY_FILE");
  }

  @Test
  void danglingLinkPointsNowhere() {
    Path link = mount.danglingLink("ghost");

    assertThat(link).isEqualTo(dir.resolve("ghost"));
    assertThat(isLink(link)).isTrue();
    assertThat(Files.exists(link)).isFalse();
    assertThat(existsNoFollow(dir.resolve(Disk.linkTarget(link)))).isFalse();
  }

  @Test
  void aNewMountOnTheSameDirectoryContinuesFromDisk() {
    mount.publish(Map.of("a", "1", "d/b", "2"));

    SecretsMount again = SecretsMount.create(SecretsMount.Layout.ATOMIC_WRITER, dir);
    again.put("c", "3");

    assertThat(entries(dir)).containsExactlyInAnyOrder("..data", generation(), "a", "d", "c");
    assertThat(read(dir.resolve("d").resolve("b"))).isEqualTo("2");
    assertThat(again.rotations()).isEqualTo(1);
  }

  @Test
  void writesFromTheHookAreRejectedAndTheMountStaysUsable() {
    mount.publish(Map.of("a", "1"));
    mount.onStep(step -> mount.put("b", "2"));

    assertThatThrownBy(() -> mount.publish(Map.of("a", "2")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("step hook");

    mount.onStep(step -> { });
    mount.publish(Map.of("a", "3"));
    assertThat(read(dir.resolve("a"))).isEqualTo("3");
    assertThat(existsNoFollow(dir.resolve("b"))).isFalse();
  }

  @Test
  void aWriteAbortedBeforeTheSwitchLeavesTheOldSetVisible() {
    mount.publish(Map.of("a", "1"));
    String first = generation();
    mount.onStep(step -> {
      if (step == Step.DATA_TMP_CREATED) {
        throw new IllegalStateException("crash");
      }
    });

    assertThatThrownBy(() -> mount.publish(Map.of("a", "2"))).hasMessage("crash");
    assertThat(generation()).isEqualTo(first);
    assertThat(read(dir.resolve("a"))).isEqualTo("1");
    assertThat(isLink(dir.resolve("..data_tmp"))).isTrue();

    mount.onStep(step -> { });
    mount.publish(Map.of("a", "2"));
    assertThat(read(dir.resolve("a"))).isEqualTo("2");
    assertThat(existsNoFollow(dir.resolve("..data_tmp"))).isFalse();
  }

  @Test
  void aConcurrentReaderThatRechecksDataAlwaysSeesOneWholeSet() throws Exception {
    mount.publish(Map.of("a", "0", "b", "0", "c/d", "0"));
    AtomicInteger consistentReads = new AtomicInteger();
    CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
      for (int i = 1; i <= 200; i++) {
        String v = Integer.toString(i);
        mount.publish(Map.of("a", v, "b", v, "c/d", v));
      }
    });
    CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
      while (!writer.isDone() || consistentReads.get() == 0) {
        try {
          String before = generation();
          Path generation = dir.resolve(before);
          String a = read(generation.resolve("a"));
          String b = read(generation.resolve("b"));
          String d = read(generation.resolve("c").resolve("d"));
          if (!before.equals(generation())) {
            continue;
          }
          assertThat(List.of(a, b, d)).as("files of " + before).containsOnly(a);
          consistentReads.incrementAndGet();
        } catch (java.io.UncheckedIOException e) {
          if (!(e.getCause() instanceof NoSuchFileException)) {
            throw e;
          }
          // the generation vanished mid-read (step 10): read again
        }
      }
    });

    writer.get(30, TimeUnit.SECONDS);
    reader.get(30, TimeUnit.SECONDS);
    assertThat(consistentReads.get()).isPositive();
    assertThat(read(dir.resolve("a"))).isEqualTo("200");
    Await.until(Duration.ofSeconds(1), () -> generationDirs().size() == 1, () -> "one generation left");
  }
}
