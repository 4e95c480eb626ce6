package io.github.mountedsecrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.mountedsecrets.Hostile.ChildResult;
import io.github.mountedsecrets.test.SecretsMount;
import io.github.mountedsecrets.test.SecretsMount.Layout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Class 6 of issue 9, one bad entry must not fail the whole mount, in child JVMs: one running
 * as {@code nobody} (tests run as root, for whom no permission denies a read), one running
 * with {@code LANG=C LC_ALL=C}, where a non-ASCII file name cannot be decoded. In both, the bad
 * entry is skipped and listed in {@code status().invalidFiles()} with its reason, and
 * everything else loads and rotates.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HostileMountChildProcessTest {
  @TempDir Path temp;
  private String classPath;
  private Path mountDir;

  @BeforeEach
  void setUp() throws Exception {
    Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
    classPath = Hostile.copyClassPath(Files.createDirectories(temp.resolve("cp")));
    mountDir = temp.resolve("mount");
  }

  private static Map<String, Object> files(Object... nameValue) {
    Map<String, Object> files = new LinkedHashMap<>();
    for (int i = 0; i < nameValue.length; i += 2) {
      files.put((String) nameValue[i], nameValue[i + 1]);
    }
    return files;
  }

  private static Path where(SecretsMount mount) {
    return mount.layout() == Layout.ATOMIC_WRITER
        ? mount.directory().resolve(mount.generation().orElseThrow()) : mount.directory();
  }

  /** An unreadable subdirectory, seen by an application running as a non-root user. */
  @ParameterizedTest
  @EnumSource(Layout.class)
  void anUnreadableSubdirectoryIsSkippedAndListed(Layout layout) throws Exception {
    assumeTrue(Hostile.run("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "true"),
        "setpriv to nobody is not possible here");
    SecretsMount mount = SecretsMount.create(layout, mountDir)
        .publish(files("OTHER", "o-1", "KEY", "k-1", "private/inner", "p-1"));
    Hostile.openToEveryone(temp.resolve("mount"));
    lockPrivate(mount);
    AtomicReference<ChildResult> before = new AtomicReference<>();
    AtomicReference<ChildResult> after = new AtomicReference<>();
    ChildResult whole = Hostile.runChild(
        List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"), Map.of(),
        classPath, mount.directory(), session -> {
          before.set(session.read());
          if (!before.get().lines().contains("BUILD=ok")) {
            return;
          }
          mount.put("OTHER", "o-2");
          Hostile.openToEveryone(temp.resolve("mount"));
          lockPrivate(mount);
          after.set(session.send("reload"));
          session.send("exit");
        });
    assertThat(before.get().lines()).as("child output %s", whole.lines()).contains("BUILD=ok");
    assertThat(before.get().value("STATE")).isEqualTo("READY");
    assertThat(before.get().value("KEYS")).isEqualTo("KEY,OTHER");
    assertThat(before.get().value("INVALID")).startsWith("private: ").contains("permission");
    assertThat(after.get().value("OTHER")).isEqualTo("o-2");
    assertThat(after.get().value("STATE")).isEqualTo("READY");
    assertThat(after.get().value("INVALID")).startsWith("private: ");
  }

  private static void lockPrivate(SecretsMount mount) throws Exception {
    Files.setPosixFilePermissions(where(mount).resolve("private"), PosixFilePermissions.fromString("rwx------"));
  }

  /** A non-ASCII file name in a JVM whose locale is C, where it cannot be decoded. */
  @ParameterizedTest
  @EnumSource(Layout.class)
  void aNonAsciiNameUnderTheCLocaleIsReadByItsUtf8Bytes(Layout layout) throws Exception {
    SecretsMount mount = SecretsMount.create(layout, mountDir).publish(files("OTHER", "o-1", "KEY", "k-1"));
    byte[] name = "пароль".getBytes(StandardCharsets.UTF_8);
    Hostile.createFileWithRawName(where(mount), name, "p-1");
    Hostile.openToEveryone(temp.resolve("mount"));
    AtomicReference<ChildResult> before = new AtomicReference<>();
    AtomicReference<ChildResult> after = new AtomicReference<>();
    Map<String, String> env = Map.of("LANG", "C", "LC_ALL", "C");
    ChildResult whole = Hostile.runChild(List.of(), env, classPath, mount.directory(), session -> {
      before.set(session.read());
      if (!before.get().lines().contains("BUILD=ok")) {
        return;
      }
      mount.put("OTHER", "o-2");
      Hostile.createFileWithRawName(where(mount), name, "p-2");
      after.set(session.send("reload"));
      session.send("exit");
    });
    assertThat(before.get().lines()).as("child output %s", whole.lines()).contains("BUILD=ok");
    assertThat(before.get().value("STATE")).isEqualTo("READY");
    // The JVM cannot decode the name in the POSIX locale; the reader opens it by its bytes and
    // names the key by those bytes read as UTF-8, so the key is the one the writer meant.
    String escapedName = "\\u043f\\u0430\\u0440\\u043e\\u043b\\u044c";
    assertThat(before.get().value("KEYS")).isEqualTo("KEY,OTHER," + escapedName);
    assertThat(before.get().value("INVALID_COUNT")).isEqualTo("0");
    assertThat(after.get().value("OTHER")).isEqualTo("o-2");
    assertThat(after.get().value("STATE")).isEqualTo("READY");
    assertThat(after.get().value("INVALID_COUNT")).isEqualTo("0");
  }
}
