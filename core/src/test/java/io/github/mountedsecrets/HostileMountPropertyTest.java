package io.github.mountedsecrets;

import static io.github.mountedsecrets.Hostile.RELOAD_BOUND;
import static io.github.mountedsecrets.Hostile.assertNoCanary;
import static io.github.mountedsecrets.Hostile.within;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.mountedsecrets.test.SecretsMount;
import io.github.mountedsecrets.test.SecretsMount.Layout;
import io.github.mountedsecrets.test.TemporaryDirectories;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;

/**
 * Random trees in both layouts, with hostile entries among good files and, optionally,
 * mutations while reads run. Invariants: nothing from outside the mount is served, no build
 * or reload blocks past the bound, no exception escapes, every good key (a regular file with
 * a safe name) is present with its exact bytes, no key names an internal {@code ..} entry,
 * and an atomically rotated pair is never torn.
 *
 * <p>Shrinking is off: on today's code a failing try can block for the whole bound, and a
 * shrink would repeat that many times.
 */
class HostileMountPropertyTest {
  private static final String CANARY = "CANARY-outside-5e1d02";
  private static final String INTERNAL = "INTERNAL-dotdot-77b1";
  private static final List<String> DIRECTORIES = List.of("", "dir-a/", "dir-a/dir-b/", "ü-dir/", ".hid-dir/");
  private static final List<String> NAME_BASES = List.of("KEY", "db-password", ".dockerconfigjson",
      ".hidden", "пароль", "ключ-ü", "名前", "a b", "name.with.dots", "emoji-😀", "with:colon",
      "semi;colon", "tab\there", "UPPER_lower", "x".repeat(250), "ü".repeat(120));

  enum Kind { FIFO, LINK_OUTSIDE_FILE, LINK_OUTSIDE_DIR, LINK_UP, LINK_INSIDE, DANGLING, DOTDOT_FILE, DOTDOT_DIR }

  enum Mutation { NONE, SWAP_FIFO, SWAP_OUTSIDE_LINK, ROTATE_PAIR }

  enum DataLink { GOOD, TO_OUTSIDE, TO_PARENT, TO_FIFO }

  record Good(String path, byte[] content) {
    @Override
    public String toString() {
      return Names.printable(path) + "(" + content.length + " bytes)";
    }
  }

  record Bad(String directory, String name, Kind kind) {}

  record Tree(Layout layout, List<Good> good, List<Bad> bad, Mutation mutation, DataLink dataLink) {}

  @Provide
  Arbitrary<Tree> trees() {
    Arbitrary<byte[]> content = Arbitraries.oneOf(
        Arbitraries.strings().withCharRange(' ', '~').withChars('\n', 'ü', '€', '\ufeff')
            .ofMinLength(1).ofMaxLength(60).map(s -> s.getBytes(StandardCharsets.UTF_8)),
        Arbitraries.integers().between(0, 99999).map(n -> ("{\"user\":\"u-" + n + "\",\"n\":" + n
            + ",\"nested\":{\"k\":[1,\"two\",null]}}").getBytes(StandardCharsets.UTF_8)),
        Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(40));
    Arbitrary<Good> good = Combinators.combine(Arbitraries.of(DIRECTORIES), Arbitraries.of(NAME_BASES),
        content).as((dir, base, bytes) -> new Good(dir + base, bytes));
    Arbitrary<List<Good>> goods = good.list().ofMinSize(1).ofMaxSize(8).map(HostileMountPropertyTest::unique);
    Arbitrary<Bad> bad = Combinators.combine(Arbitraries.of(DIRECTORIES),
        Arbitraries.of("evil", "..evil", "pipe", ".x", "ü-bad"), Arbitraries.of(Kind.class))
        .as(Bad::new);
    return Combinators.combine(Arbitraries.of(Layout.class), goods, bad.list().ofMaxSize(5),
        Arbitraries.of(Mutation.class),
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(8, Arbitraries.just(DataLink.GOOD)),
            net.jqwik.api.Tuple.of(1, Arbitraries.of(DataLink.TO_OUTSIDE, DataLink.TO_PARENT,
                DataLink.TO_FIFO))))
        .as(Tree::new);
  }

  /** Gives every good file a distinct name (index suffix of at most two digits). */
  private static List<Good> unique(List<Good> goods) {
    List<Good> result = new ArrayList<>();
    for (int i = 0; i < goods.size(); i++) {
      result.add(new Good(goods.get(i).path() + i, goods.get(i).content()));
    }
    return result;
  }

  @Property(tries = 80, shrinking = ShrinkingMode.OFF)
  void hostileTreesNeverLeakBlockOrLoseGoodKeys(@ForAll("trees") Tree tree) throws Exception {
    Path temp = TemporaryDirectories.create("hostile-property");
    List<Path> fifos = new ArrayList<>();
    try {
      check(tree, temp, fifos);
    } catch (Throwable e) {
      // Only a failed try can have left a reader blocked on a FIFO.
      for (Path fifo : fifos) {
        Hostile.unblockFifo(fifo);
      }
      throw e;
    } finally {
      TemporaryDirectories.delete(temp);
    }
  }

  private void check(Tree tree, Path temp, List<Path> fifos) throws Exception {
    Path outside = Files.createDirectories(temp.resolve("outside"));
    Files.writeString(outside.resolve("canary.txt"), CANARY);
    Files.writeString(outside.resolve("inner"), CANARY);
    Files.writeString(temp.resolve("canary.txt"), CANARY);
    Path dir = temp.resolve("mount");
    Map<String, Object> payload = new LinkedHashMap<>();
    for (Good good : tree.good()) {
      payload.put(good.path(), good.content());
    }
    boolean pair = tree.mutation() == Mutation.ROTATE_PAIR;
    if (pair) {
      payload.put("USER", "u-0");
      payload.put("PASS", "p-0");
    }
    boolean swap = tree.mutation() == Mutation.SWAP_FIFO || tree.mutation() == Mutation.SWAP_OUTSIDE_LINK;
    if (swap) {
      payload.put("victim", "victim-0");
    }
    SecretsMount mount;
    Path base;
    if (tree.layout() == Layout.ATOMIC_WRITER) {
      mount = SecretsMount.atomicWriter(dir).publish(payload);
      base = dir.resolve(mount.generation().orElseThrow());
    } else {
      Files.createDirectories(dir);
      for (Map.Entry<String, Object> entry : payload.entrySet()) {
        Path file = dir.resolve(entry.getKey());
        Files.createDirectories(file.getParent());
        Files.write(file, entry.getValue() instanceof byte[] ? (byte[]) entry.getValue()
            : ((String) entry.getValue()).getBytes(StandardCharsets.UTF_8));
      }
      mount = SecretsMount.fileByFile(dir);
      base = dir;
    }
    Path staging = Files.createDirectories(temp.resolve("staging"));
    if (swap) {
      fifos.add(staging.resolve("fifo"));
    }
    for (Bad bad : tree.bad()) {
      plant(bad, base, dir, outside, fifos);
    }
    boolean corruptData = tree.layout() == Layout.ATOMIC_WRITER && tree.dataLink() != DataLink.GOOD;
    if (corruptData) {
      corruptDataLink(tree.dataLink(), dir, outside, fifos);
    }
    if (!fifos.isEmpty()) {
      // One mkfifo for all of them: starting a process is the slowest part of a try.
      List<String> command = new ArrayList<>(List.of("mkfifo"));
      fifos.forEach(fifo -> command.add(fifo.toString()));
      assertThat(Hostile.run(command.toArray(new String[0]))).as("mkfifo %s", fifos).isTrue();
    }

    MountedSecrets secrets;
    try {
      secrets = within(RELOAD_BOUND, "build()", () -> MountedSecrets.builder().directory(dir)
          .watch(false).pollInterval(Duration.ofHours(1)).quietPeriod(Duration.ofMillis(5)).build());
    } catch (Hostile.Stuck e) {
      throw e;
    } catch (AssertionError e) {
      assertThat(corruptData).as("build() failed on a mount with a good ..data: %s", e.getCause())
          .isTrue();
      assertThat(e.getCause()).isInstanceOf(MountedSecretsException.class);
      assertThat(e.getCause().getMessage()).doesNotContain(CANARY, INTERNAL);
      return;
    }
    try {
      checkSnapshot(secrets.snapshot(), tree, corruptData);
      if (tree.mutation() != Mutation.NONE) {
        mutateWhileReading(secrets, tree, mount, base, outside, staging);
      }
      within(RELOAD_BOUND, "reload()", secrets::reload);
      checkSnapshot(secrets.snapshot(), tree, corruptData);
    } finally {
      Hostile.closeReleaseAndCheckThreads(secrets, fifos);
    }
  }

  private static void checkSnapshot(SecretsSnapshot snapshot, Tree tree, boolean corruptData) {
    assertNoCanary(snapshot, CANARY);
    assertNoCanary(snapshot, INTERNAL);
    for (String key : snapshot.keys()) {
      for (String element : key.split("/")) {
        assertThat(element).as("key '%s' names an internal entry", Names.printable(key))
            .doesNotStartWith("..");
      }
    }
    if (corruptData) {
      return;
    }
    for (Good good : tree.good()) {
      assertThat(snapshot.contains(good.path())).as("good key '%s' present; keys %s",
          Names.printable(good.path()), snapshot.keys()).isTrue();
      assertThat(snapshot.bytes(good.path())).as("bytes of '%s'", Names.printable(good.path()))
          .isEqualTo(good.content());
    }
  }

  private static void plant(Bad bad, Path base, Path mount, Path outside, List<Path> fifos)
      throws IOException {
    Path parent = Files.createDirectories(base.resolve(bad.directory()));
    Path path = parent.resolve(bad.name() + "-" + bad.kind().name().toLowerCase(java.util.Locale.ROOT));
    if (Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS) || fifos.contains(path)) {
      return;
    }
    int depth = mount.relativize(parent).getNameCount() + (mount.equals(parent) ? -1 : 0);
    String up = "../".repeat(depth + 1);
    switch (bad.kind()) {
      case FIFO:
        fifos.add(path);
        break;
      case LINK_OUTSIDE_FILE:
        Files.createSymbolicLink(path, Path.of(up + "outside/canary.txt"));
        break;
      case LINK_OUTSIDE_DIR:
        Files.createSymbolicLink(path, outside);
        break;
      case LINK_UP:
        Files.createSymbolicLink(path, Path.of(up));
        break;
      case LINK_INSIDE:
        Files.createSymbolicLink(path, Path.of("."));
        break;
      case DANGLING:
        Files.createSymbolicLink(path, Path.of("does-not-exist"));
        break;
      case DOTDOT_FILE:
        Files.writeString(parent.resolve(".." + bad.name() + "-file"), INTERNAL);
        break;
      case DOTDOT_DIR:
        Path internal = Files.createDirectories(parent.resolve(".." + bad.name() + "-dir"));
        Files.writeString(internal.resolve("inside"), INTERNAL);
        break;
      default:
        throw new IllegalStateException();
    }
  }

  private static void corruptDataLink(DataLink dataLink, Path dir, Path outside, List<Path> fifos)
      throws IOException {
    switch (dataLink) {
      case TO_OUTSIDE:
        Files.createSymbolicLink(dir.resolve("..evil"), Path.of("../outside"));
        Hostile.switchLink(dir.resolve("..data"), Path.of("..evil"));
        break;
      case TO_PARENT:
        Hostile.switchLink(dir.resolve("..data"), Path.of(".."));
        break;
      case TO_FIFO:
        fifos.add(dir.resolve("..fifo"));
        Hostile.switchLink(dir.resolve("..data"), Path.of("..fifo"));
        break;
      default:
        break;
    }
  }

  private static void mutateWhileReading(MountedSecrets secrets, Tree tree, SecretsMount mount,
      Path base, Path outside, Path staging) throws Exception {
    Path fifo = staging.resolve("fifo");
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread mutator = new Thread(() -> {
      try {
        int n = 0;
        while (!stop.get()) {
          n++;
          if (tree.mutation() == Mutation.ROTATE_PAIR && tree.layout() == Layout.FILE_BY_FILE) {
            // Only the pair: the provider's temp file beside a 250-byte name would be too long.
            mount.put("USER", "u-" + n);
            mount.put("PASS", "p-" + n);
          } else if (tree.mutation() == Mutation.ROTATE_PAIR) {
            Map<String, Object> payload = new LinkedHashMap<>();
            for (Good good : tree.good()) {
              payload.put(good.path(), good.content());
            }
            payload.put("USER", "u-" + n);
            payload.put("PASS", "p-" + n);
            mount.publish(payload);
          } else {
            Path tmp = staging.resolve("tmp");
            Files.deleteIfExists(tmp);
            if (tree.mutation() == Mutation.SWAP_FIFO) {
              Files.createLink(tmp, fifo);
            } else {
              Files.createSymbolicLink(tmp, outside.resolve("canary.txt"));
            }
            Files.move(tmp, base.resolve("victim"), StandardCopyOption.ATOMIC_MOVE);
            Files.writeString(tmp, "victim-" + n);
            Files.move(tmp, base.resolve("victim"), StandardCopyOption.ATOMIC_MOVE);
          }
        }
      } catch (Throwable e) {
        failure.set(e);
      }
    }, "hostile-mutator");
    mutator.setDaemon(true);
    mutator.start();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
    try {
      while (System.nanoTime() < deadline) {
        within(RELOAD_BOUND, "reload() while the mount mutates", secrets::reload);
        SecretsSnapshot snapshot = secrets.snapshot();
        assertNoCanary(snapshot, CANARY);
        if (tree.layout() == Layout.ATOMIC_WRITER && snapshot.contains("USER")
            && snapshot.contains("PASS")) {
          assertThat(snapshot.get("PASS").substring(2)).as("torn pair")
              .isEqualTo(snapshot.get("USER").substring(2));
        }
      }
    } finally {
      stop.set(true);
      mutator.join(TimeUnit.SECONDS.toMillis(10));
    }
    assertThat(failure.get()).as("the mutator failed").isNull();
  }
}
