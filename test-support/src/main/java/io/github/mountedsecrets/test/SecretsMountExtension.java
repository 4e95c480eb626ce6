package io.github.mountedsecrets.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A JUnit Jupiter extension that injects a fresh {@link SecretsMount} into every parameter of type
 * {@code SecretsMount} and deletes it after the test.
 *
 * <p>Each parameter gets its own new temp directory ({@link Files#createTempDirectory}); the mount
 * is the directory {@link Mount#name()} inside it, with the layout {@link Mount#value()}
 * ({@link SecretsMount.Layout#ATOMIC_WRITER} for an unannotated parameter). Test method, lifecycle
 * method and constructor parameters are supported. After each test the temp directories created
 * for it are deleted recursively without following links, so links pointing out of the mount never
 * cause deletions elsewhere. Mounts created for a class-level context (a {@code @BeforeAll} method
 * or the constructor of a {@code PER_CLASS} test instance) are deleted after all tests of the class.
 *
 * <pre>{@code
 * @ExtendWith(SecretsMountExtension.class)
 * class ReaderTest {
 *     @Test
 *     void readsRotation(@Mount(Layout.FILE_BY_FILE) SecretsMount mount) { ... }
 * }
 * }</pre>
 */
public final class SecretsMountExtension implements ParameterResolver, AfterEachCallback, AfterAllCallback {

  static final String DEFAULT_NAME = "secrets-store";

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(SecretsMountExtension.class);

  /**
   * Creates the extension; JUnit does this when it is registered.
   */
  public SecretsMountExtension() {
    // nothing to set up
  }

  /**
   * Asks JUnit to resolve constructor parameters in the test method's context, so that a mount
   * injected into the constructor of a per-method test instance is deleted after that test.
   *
   * @param rootContext the root extension context
   * @return {@link ExtensionContextScope#TEST_METHOD}
   */
  @Override
  public ExtensionContextScope getTestInstantiationExtensionContextScope(ExtensionContext rootContext) {
    return ExtensionContextScope.TEST_METHOD;
  }

  /**
   * Tells whether the parameter is a {@code SecretsMount}.
   *
   * @param parameterContext the parameter
   * @param extensionContext the current context
   * @return {@code true} for parameters of type {@link SecretsMount}
   * @throws ParameterResolutionException if {@link Mount} annotates a parameter of another type
   */
  @Override
  public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    Class<?> type = parameterContext.getParameter().getType();
    if (type == SecretsMount.class) {
      return true;
    }
    if (parameterContext.isAnnotated(Mount.class)) {
      throw new ParameterResolutionException("@Mount applies to parameters of type "
          + SecretsMount.class.getName() + ", but parameter " + parameterContext.getParameter()
          + " of " + parameterContext.getDeclaringExecutable() + " has type " + type.getName());
    }
    return false;
  }

  /**
   * Creates a fresh mount in a new temp directory and registers that directory for deletion.
   *
   * @param parameterContext the parameter
   * @param extensionContext the current context
   * @return the new {@link SecretsMount}
   * @throws ParameterResolutionException if the name is invalid or the directory cannot be created
   */
  @Override
  public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    Optional<Mount> annotation = parameterContext.findAnnotation(Mount.class);
    SecretsMount.Layout layout = annotation.map(Mount::value).orElse(SecretsMount.Layout.ATOMIC_WRITER);
    String name = annotation.map(Mount::name).orElse(DEFAULT_NAME);
    try {
      SecretsMount.validatePath(name);
    } catch (IllegalArgumentException e) {
      throw new ParameterResolutionException("@Mount(name = \"" + name + "\"): " + e.getMessage(), e);
    }
    if (name.contains("/")) {
      throw new ParameterResolutionException("@Mount(name = \"" + name
          + "\"): must be a single directory name, without '/'");
    }
    Path tempDir;
    try {
      tempDir = Files.createTempDirectory("mounted-secrets-");
    } catch (IOException e) {
      throw new ParameterResolutionException("cannot create a temp directory for a SecretsMount: " + e, e);
    }
    createdFor(extensionContext).add(tempDir);
    try {
      return SecretsMount.create(layout, tempDir.resolve(name));
    } catch (UncheckedIOException e) {
      throw new ParameterResolutionException("cannot create a SecretsMount in " + tempDir + ": "
          + e.getMessage(), e);
    }
  }

  /**
   * Deletes the temp directories of mounts injected for the test that just ran.
   *
   * @param context the test's context
   * @throws IOException if a directory could not be deleted
   */
  @Override
  public void afterEach(ExtensionContext context) throws IOException {
    deleteCreatedFor(context);
  }

  /**
   * Deletes the temp directories of mounts injected at class level.
   *
   * @param context the class's context
   * @throws IOException if a directory could not be deleted
   */
  @Override
  public void afterAll(ExtensionContext context) throws IOException {
    deleteCreatedFor(context);
  }

  /** The temp directories created in exactly this context; parent contexts keep their own. */
  private static List<Path> createdFor(ExtensionContext context) {
    ExtensionContext.Store store = context.getStore(NAMESPACE);
    String key = context.getUniqueId();
    @SuppressWarnings("unchecked")
    List<Path> dirs = store.get(key, List.class);
    if (dirs == null) {
      dirs = new ArrayList<>();
      store.put(key, dirs);
    }
    return dirs;
  }

  private static void deleteCreatedFor(ExtensionContext context) throws IOException {
    @SuppressWarnings("unchecked")
    List<Path> dirs = context.getStore(NAMESPACE).remove(context.getUniqueId(), List.class);
    if (dirs == null) {
      return;
    }
    IOException failure = null;
    for (Path dir : dirs) {
      try {
        SecretsMount.deleteRecursively(dir);
      } catch (IOException e) {
        if (failure == null) {
          failure = new IOException("cannot delete the SecretsMount temp directory " + dir + ": " + e, e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
