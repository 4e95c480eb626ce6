package io.github.mountedsecrets.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.mountedsecrets.test.SecretsMount.Layout;
import java.io.IOException;
import java.lang.reflect.Executable;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.io.TempDir;

/** The extension injects fresh mounts and deletes them, without following links, after each test. */
@ExtendWith(SecretsMountExtension.class)
class SecretsMountExtensionTest {

  /** Every temp directory handed out in this class; all must be gone by {@link #everyMountWasDeleted()}. */
  private static final Set<Path> HANDED_OUT = ConcurrentHashMap.newKeySet();

  @TempDir
  static Path outside;

  private final SecretsMount fromConstructor;
  private SecretsMount fromBeforeEach;

  SecretsMountExtensionTest(@Mount(value = Layout.FILE_BY_FILE, name = "ctor") SecretsMount fromConstructor) {
    this.fromConstructor = fromConstructor;
    HANDED_OUT.add(fromConstructor.directory().getParent());
  }

  @BeforeEach
  void setUp(SecretsMount mount) {
    fromBeforeEach = mount;
    HANDED_OUT.add(mount.directory().getParent());
  }

  private static void assertFresh(SecretsMount mount, Layout layout, String name) {
    HANDED_OUT.add(mount.directory().getParent());
    Path tempRoot = Paths.get(System.getProperty("java.io.tmpdir")).toAbsolutePath();
    assertThat(mount.layout()).isEqualTo(layout);
    assertThat(mount.directory().getFileName()).hasToString(name);
    assertThat(mount.directory()).isDirectory();
    assertThat(Disk.entries(mount.directory())).isEmpty();
    assertThat(mount.directory().getParent().getFileName().toString()).startsWith("mounted-secrets-");
    assertThat(mount.directory().getParent().toAbsolutePath().getParent()).isEqualTo(tempRoot);
    assertThat(mount.rotations()).isZero();
  }

  @Test
  void unannotatedParametersGetAnAtomicWriterMount(SecretsMount mount) {
    assertFresh(mount, Layout.ATOMIC_WRITER, "secrets-store");
  }

  @Test
  void annotatedParametersGetTheirLayoutAndName(@Mount(Layout.FILE_BY_FILE) SecretsMount aws,
      @Mount(name = "other") SecretsMount driver) {
    assertFresh(aws, Layout.FILE_BY_FILE, "secrets-store");
    assertFresh(driver, Layout.ATOMIC_WRITER, "other");
    assertThat(aws.directory().getParent()).isNotEqualTo(driver.directory().getParent());
  }

  @Test
  void constructorAndLifecycleParametersAreInjectedToo(SecretsMount mount) {
    assertFresh(fromConstructor, Layout.FILE_BY_FILE, "ctor");
    assertThat(fromBeforeEach).isNotNull();
    assertThat(fromBeforeEach.directory()).isNotEqualTo(mount.directory());
    assertThat(fromBeforeEach.directory()).isNotEqualTo(fromConstructor.directory());
  }

  @Test
  void cleanupDeletesLinksButNotWhatTheyPointTo(SecretsMount mount) throws IOException {
    Path keep = Files.writeString(outside.resolve("keep.txt"), "outside the mount");
    mount.publish(Map.of("a", "1", "nested/b", "2"));
    Files.createSymbolicLink(mount.directory().resolve("escape"), outside);
    Files.createSymbolicLink(mount.directory().resolve("escape-file"), keep);
    mount.danglingLink("ghost");
    assertThat(mount.directory().resolve("escape").resolve("keep.txt")).exists();
  }

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class WithOneInstanceForAllTests {
    private final SecretsMount shared;

    WithOneInstanceForAllTests(@Mount(Layout.FILE_BY_FILE) SecretsMount shared) {
      this.shared = shared;
      HANDED_OUT.add(shared.directory().getParent());
    }

    @Test
    void firstWrite() {
      shared.put("from-first", "1");
      assertThat(shared.directory()).isDirectory();
    }

    @Test
    void secondWrite() {
      shared.put("from-second", "2");
      assertThat(shared.directory()).isDirectory();
    }

    @AfterAll
    void theMountLivedThroughEveryTest() {
      assertThat(Disk.entries(shared.directory())).containsExactlyInAnyOrder("from-first", "from-second");
    }
  }

  @AfterAll
  static void everyMountWasDeleted() {
    // constructor and @BeforeEach mounts of every test, plus each test's own parameters
    assertThat(HANDED_OUT).hasSizeGreaterThanOrEqualTo(10);
    assertThat(HANDED_OUT).allSatisfy(dir -> assertThat(Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS))
        .as(dir + " deleted").isFalse());
    assertThat(outside.resolve("keep.txt")).hasContent("outside the mount");
  }

  // ------------------------------------------------------------------------------------------
  // supportsParameter, driven directly

  @SuppressWarnings("unused")
  private static void sample(SecretsMount plain, @Mount String wrongType, String other) {
    // only its parameters are used
  }

  private static ParameterContext parameter(int index) throws NoSuchMethodException {
    Method method = SecretsMountExtensionTest.class.getDeclaredMethod("sample", SecretsMount.class,
        String.class, String.class);
    Parameter parameter = method.getParameters()[index];
    return new ParameterContext() {
      @Override
      public Parameter getParameter() {
        return parameter;
      }

      @Override
      public int getIndex() {
        return index;
      }

      @Override
      public Optional<Object> getTarget() {
        return Optional.empty();
      }

      @Override
      public Executable getDeclaringExecutable() {
        return method;
      }
    };
  }

  @Test
  void supportsOnlySecretsMountParametersAndExplainsAMisplacedMount() throws NoSuchMethodException {
    SecretsMountExtension extension = new SecretsMountExtension();

    assertThat(extension.supportsParameter(parameter(0), null)).isTrue();
    assertThat(extension.supportsParameter(parameter(2), null)).isFalse();
    ParameterContext wrong = parameter(1);
    assertThatThrownBy(() -> extension.supportsParameter(wrong, null))
        .isInstanceOf(ParameterResolutionException.class)
        .hasMessageContaining("@Mount applies to parameters of type " + SecretsMount.class.getName())
        .hasMessageContaining("java.lang.String");
  }
}
