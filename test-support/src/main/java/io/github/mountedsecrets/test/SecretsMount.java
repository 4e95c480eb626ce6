package io.github.mountedsecrets.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystem;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotLinkException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A secrets mount directory that writes and rotates files exactly the way the Secrets Store CSI
 * Driver and its providers do, so that a reader can be tested against real on-disk states.
 *
 * <p>Two layouts are supported (see {@link Layout}):
 * <ul>
 *   <li>{@link Layout#ATOMIC_WRITER}: the driver's (and kubelet's) atomic writer. Every rotation
 *       writes a new hidden generation directory {@code ..YYYY_MM_DD_HH_MM_SS.<digits>}, creates
 *       the visible links {@code name -> ..data/name}, and switches the {@code ..data} link with one
 *       atomic rename.</li>
 *   <li>{@link Layout#FILE_BY_FILE}: the AWS provider's own writer. Each file is written to a visible
 *       temporary file {@code <name><digits>} beside it and then renamed over the final name; a set
 *       of files is not switched atomically.</li>
 * </ul>
 *
 * <p>The mount works on any {@link java.nio.file.FileSystem} that supports symbolic links and atomic
 * moves, in particular the default file system and Jimfs. POSIX permissions are set only when the
 * file store supports the {@code "posix"} attribute view.
 *
 * <p>Thread safety: writing methods are serialized on this object. Readers of the directory may run
 * concurrently from any number of threads and see exactly the intermediate states that a real
 * writer produces. {@link #directory()}, {@link #layout()}, {@link #generation()} and
 * {@link #rotations()} do not take the lock, so they can be called while a write is paused in the
 * {@linkplain #onStep(Consumer) step hook}.
 *
 * <p>I/O failures are thrown as {@link UncheckedIOException}; invalid names or values as
 * {@link IllegalArgumentException}.
 */
public final class SecretsMount {

  /**
   * The way a writer lays out and replaces files in the mount.
   */
  public enum Layout {
    /**
     * Layout A: the driver's atomic writer (also kubelet's for Secret and ConfigMap volumes).
     * Visible names are symbolic links {@code name -> ..data/name}; {@code ..data} links to the
     * current generation directory and is switched atomically.
     */
    ATOMIC_WRITER,
    /**
     * Layout B: the AWS provider's default writer. Plain files, each written to a visible temp
     * file {@code <name><digits>} and renamed over the final name, one file after the other.
     */
    FILE_BY_FILE
  }

  /**
   * A point between two steps of a write at which the {@linkplain #onStep(Consumer) step hook}
   * runs, listed in the order in which a writer reaches them.
   */
  public enum Step {
    /** Layout A, after step 4: the new generation directory exists and is still empty. */
    GENERATION_CREATED,
    /** Layout A, after step 5: every file is written into the new generation directory. */
    GENERATION_WRITTEN,
    /**
     * Layout A, after step 6: missing visible links were created; links to names that are new
     * in this rotation dangle until {@link #DATA_SWITCHED}.
     */
    LINKS_CREATED,
    /** Layout A, after step 7: {@code ..data_tmp} links to the new generation directory. */
    DATA_TMP_CREATED,
    /** Layout A, after step 8: {@code ..data} was atomically switched to the new generation. */
    DATA_SWITCHED,
    /** Layout A, after step 9: visible links of names that went away were removed. */
    STALE_LINKS_REMOVED,
    /** Layout A, after step 10: the previous generation directory was deleted. */
    OLD_GENERATION_REMOVED,
    /**
     * Layout B: the temp file {@code <name><digits>} is complete (created, chmod, written,
     * fsync) and has not been renamed yet.
     */
    TEMP_FILE_WRITTEN,
    /** Layout B: one temp file was renamed over its final name. */
    FILE_RENAMED,
    /** Layout B: one file was deleted by {@link #remove(String)}. */
    FILE_DELETED
  }

  static final String DATA_LINK = "..data";
  static final String DATA_TMP_LINK = "..data_tmp";

  private static final int MAX_NAME_BYTES = 255;
  private static final int MAX_PATH_BYTES = 4096;
  private static final int MAX_TEMP_NAME_ATTEMPTS = 10_000;
  private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwxr-xr-x");
  private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-r--r--");
  private static final Set<PosixFilePermission> TEMP_CREATE_MODE = PosixFilePermissions.fromString("rw-------");
  private static final DateTimeFormatter GENERATION_PREFIX =
      DateTimeFormatter.ofPattern("'..'uuuu_MM_dd_HH_mm_ss'.'").withZone(ZoneOffset.UTC);
  private static final Consumer<Step> NO_HOOK = step -> { };

  private final Layout layout;
  private final Path root;
  private final boolean posix;
  private final Clock clock = Clock.systemUTC();
  private final AtomicLong rotations = new AtomicLong();
  private volatile Consumer<Step> hook = NO_HOOK;

  /** The files as the provider last delivered them, keyed by relative path. Guarded by this. */
  private final Map<String, byte[]> payload = new LinkedHashMap<>();
  /** True while a write is in progress; guards against writes started from the hook. */
  private boolean writing;

  private SecretsMount(Layout layout, Path root) {
    this.layout = Objects.requireNonNull(layout, "layout");
    this.root = Objects.requireNonNull(root, "dir");
    try {
      Files.createDirectories(root);
      this.posix = Files.getFileStore(root).supportsFileAttributeView("posix");
      loadExisting();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot set up the mount directory " + root + ": " + e, e);
    }
  }

  /**
   * Creates a mount in {@code dir} written by the driver's atomic writer (layout A).
   *
   * @param dir the mount directory; created with its parents if missing
   * @return the new mount
   */
  public static SecretsMount atomicWriter(Path dir) {
    return new SecretsMount(Layout.ATOMIC_WRITER, dir);
  }

  /**
   * Creates a mount in {@code dir} written file by file like the AWS provider (layout B).
   *
   * @param dir the mount directory; created with its parents if missing
   * @return the new mount
   */
  public static SecretsMount fileByFile(Path dir) {
    return new SecretsMount(Layout.FILE_BY_FILE, dir);
  }

  /**
   * Creates a mount in {@code dir} with the given layout.
   *
   * <p>If {@code dir} already holds a mount of that layout, its current files become the
   * starting point for {@link #put(String, Object)}, {@link #remove(String)} and
   * {@link #rewriteUnchanged()}.
   *
   * @param layout how files are written and replaced
   * @param dir the mount directory; created with its parents if missing
   * @return the new mount
   */
  public static SecretsMount create(Layout layout, Path dir) {
    return new SecretsMount(layout, dir);
  }

  /**
   * Returns the mount directory, the one an application would read.
   *
   * @return the mount directory
   */
  public Path directory() {
    return root;
  }

  /**
   * Returns the layout this mount writes.
   *
   * @return the layout
   */
  public Layout layout() {
    return layout;
  }

  /**
   * Publishes one rotation carrying the full set of files, the way a provider's answer is
   * written.
   *
   * <p>Values are {@code String} (written as UTF-8, no newline added) or {@code byte[]} (written
   * as is). Names are relative paths with {@code /} as separator; nested paths such as
   * {@code certs/tls.crt} are allowed.
   *
   * <p>{@link Layout#ATOMIC_WRITER}: runs the atomic writer's steps 1 to 10 in order. Names
   * missing from {@code files} disappear; if every file is byte-for-byte unchanged and nothing
   * must be removed, nothing on disk changes.
   *
   * <p>{@link Layout#FILE_BY_FILE}: writes each file in the map's iteration order through a temp
   * file and a rename, even when its content is unchanged. Files not in {@code files} stay, as
   * the AWS provider never deletes.
   *
   * @param files the files of this rotation, by relative path
   * @return this mount
   * @throws IllegalArgumentException if a path breaks a rule of the writer or a value has an
   *     unsupported type; nothing is written then
   */
  public synchronized SecretsMount publish(Map<String, ?> files) {
    Objects.requireNonNull(files, "files");
    Map<String, byte[]> next = toPayload(files);
    beginWrite();
    try {
      boolean changed;
      if (layout == Layout.ATOMIC_WRITER) {
        checkNoConflicts(next.keySet());
        changed = writeGeneration(next);
      } else {
        Set<String> all = new LinkedHashSet<>(payload.keySet());
        all.addAll(next.keySet());
        checkNoConflicts(all);
        for (Map.Entry<String, byte[]> file : next.entrySet()) {
          writeViaTempFile(file.getKey(), file.getValue());
        }
        changed = !next.isEmpty();
      }
      if (changed) {
        rotations.incrementAndGet();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("publishing to " + root + " failed: " + e, e);
    } finally {
      writing = false;
    }
    return this;
  }

  /**
   * Changes one file and keeps all others.
   *
   * <p>{@link Layout#ATOMIC_WRITER}: a new generation holding the other files unchanged and this
   * one with its new value (nothing is written if the value is unchanged).
   * {@link Layout#FILE_BY_FILE}: one temp file and one rename.
   *
   * @param name the file's relative path
   * @param value a {@code String} (UTF-8) or {@code byte[]}
   * @return this mount
   */
  public synchronized SecretsMount put(String name, Object value) {
    validatePath(name);
    byte[] content = toBytes(name, value);
    beginWrite();
    try {
      boolean changed;
      if (layout == Layout.ATOMIC_WRITER) {
        Map<String, byte[]> next = new LinkedHashMap<>(payload);
        next.put(name, content);
        checkNoConflicts(next.keySet());
        changed = writeGeneration(next);
      } else {
        Set<String> all = new LinkedHashSet<>(payload.keySet());
        all.add(name);
        checkNoConflicts(all);
        writeViaTempFile(name, content);
        changed = true;
      }
      if (changed) {
        rotations.incrementAndGet();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("writing " + name + " in " + root + " failed: " + e, e);
    } finally {
      writing = false;
    }
    return this;
  }

  /**
   * Changes several files and keeps all others.
   *
   * <p>{@link Layout#ATOMIC_WRITER}: one new generation holding the other files unchanged and
   * these with their new values. {@link Layout#FILE_BY_FILE}: one temp file and one rename per
   * file, in the map's iteration order.
   *
   * @param files the changed files, by relative path; values are {@code String} or {@code byte[]}
   * @return this mount
   */
  public synchronized SecretsMount putAll(Map<String, ?> files) {
    Objects.requireNonNull(files, "files");
    if (layout == Layout.FILE_BY_FILE) {
      files.forEach(this::put);
      return this;
    }
    Map<String, Object> next = new LinkedHashMap<>(payload);
    next.putAll(files);
    return publish(next);
  }

  /**
   * Removes one file, or every file below a directory name, keeping all others.
   *
   * <p>{@link Layout#ATOMIC_WRITER}: a new generation without it; its visible link is removed in
   * step 9, after the switch. {@link Layout#FILE_BY_FILE}: the file is deleted (a test-only
   * operation: the AWS provider itself never deletes). Removing a name that does not exist
   * changes nothing.
   *
   * @param name the file's relative path, or a directory path to remove all files below it
   * @return this mount
   */
  public synchronized SecretsMount remove(String name) {
    validatePath(name);
    beginWrite();
    try {
      List<String> gone = new ArrayList<>();
      for (String key : payload.keySet()) {
        if (key.equals(name) || key.startsWith(name + "/")) {
          gone.add(key);
        }
      }
      boolean changed;
      if (layout == Layout.ATOMIC_WRITER) {
        Map<String, byte[]> next = new LinkedHashMap<>(payload);
        next.keySet().removeAll(gone);
        changed = writeGeneration(next);
      } else {
        changed = false;
        for (String key : gone) {
          boolean deleted = Files.deleteIfExists(resolve(key));
          payload.remove(key);
          if (deleted) {
            changed = true;
            runHook(Step.FILE_DELETED);
          }
        }
        Path target = resolve(name);
        if (!gone.contains(name) && Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
          deleteRecursively(target);
          changed = true;
        }
      }
      if (changed) {
        rotations.incrementAndGet();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("removing " + name + " from " + root + " failed: " + e, e);
    } finally {
      writing = false;
    }
    return this;
  }

  /**
   * Does what a driver rotation poll does when no secret changed.
   *
   * <p>{@link Layout#ATOMIC_WRITER}: runs the writer with the current files, which stops at step
   * 3 and writes nothing. {@link Layout#FILE_BY_FILE}: rewrites every file with identical content
   * through a temp file and a rename, so every file gets a new inode and modification time.
   * Not counted in {@link #rotations()}.
   *
   * @return this mount
   */
  public synchronized SecretsMount rewriteUnchanged() {
    beginWrite();
    try {
      Map<String, byte[]> same = new LinkedHashMap<>(payload);
      if (layout == Layout.ATOMIC_WRITER) {
        writeGeneration(same);
      } else {
        for (Map.Entry<String, byte[]> file : same.entrySet()) {
          writeViaTempFile(file.getKey(), file.getValue());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("rewriting files in " + root + " failed: " + e, e);
    } finally {
      writing = false;
    }
    return this;
  }

  /**
   * Leaves a complete temp file {@code <name><digits>} beside {@code name}, as a write in progress
   * or a crashed provider would, and does not rename it. Layout {@link Layout#FILE_BY_FILE} only.
   *
   * <p>The file is created, chmod-ed, written and synced like a real temp file; the step hook is
   * not called and {@link #rotations()} does not change.
   *
   * @param name the final name the temp file is for (a relative path)
   * @param value the temp file's content, a {@code String} (UTF-8) or {@code byte[]}
   * @return the temp file's path
   * @throws IllegalStateException if this mount uses the atomic writer, which has no such files
   */
  public synchronized Path leaveTempFile(String name, Object value) {
    if (layout != Layout.FILE_BY_FILE) {
      throw new IllegalStateException("leaveTempFile needs layout FILE_BY_FILE; this mount uses " + layout
          + ", whose writer never puts temp files beside the visible names");
    }
    validatePath(name);
    byte[] content = toBytes(name, value);
    beginWrite();
    try {
      Path target = resolve(name);
      Files.createDirectories(target.getParent());
      Path temp = createTempFile(target);
      fillTempFile(temp, content);
      return temp;
    } catch (IOException e) {
      throw new UncheckedIOException("leaving a temp file for " + name + " in " + root + " failed: " + e, e);
    } finally {
      writing = false;
    }
  }

  /**
   * Creates a symbolic link {@code name} in the mount directory whose target does not exist,
   * like a visible link whose generation vanished or a link created in step 6 before the switch.
   *
   * @param name a single file name (no {@code /})
   * @return the link's path
   * @throws IllegalArgumentException if {@code name} is not a valid single name
   * @throws UncheckedIOException if {@code name} already exists
   */
  public synchronized Path danglingLink(String name) {
    validatePath(name);
    if (name.contains("/")) {
      throw new IllegalArgumentException("invalid link name \"" + name
          + "\": must be a single name in the mount directory, without '/'");
    }
    try {
      Path link = root.resolve(name);
      FileSystem fs = root.getFileSystem();
      Path target;
      do {
        target = fs.getPath("..missing-" + Integer.toUnsignedString(ThreadLocalRandom.current().nextInt()), name);
      } while (Files.exists(root.resolve(target), LinkOption.NOFOLLOW_LINKS));
      return Files.createSymbolicLink(link, target);
    } catch (IOException e) {
      throw new UncheckedIOException("creating dangling link " + name + " in " + root + " failed: " + e, e);
    }
  }

  /**
   * Returns the name of the current generation directory, the target of {@code ..data}.
   *
   * @return the generation name for layout {@link Layout#ATOMIC_WRITER} once something was
   *     published; empty before that and always empty for {@link Layout#FILE_BY_FILE}
   */
  public Optional<String> generation() {
    if (layout != Layout.ATOMIC_WRITER) {
      return Optional.empty();
    }
    try {
      return readDataLink();
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + DATA_LINK + " in " + root + " failed: " + e, e);
    }
  }

  /**
   * Returns how many calls of {@link #publish(Map)}, {@link #put(String, Object)} and
   * {@link #remove(String)} changed something on disk. For layout {@link Layout#FILE_BY_FILE} every
   * non-empty publish and every put counts, since each writes new files.
   *
   * @return the number of rotations so far
   */
  public long rotations() {
    return rotations.get();
  }

  /**
   * Sets the hook that runs at each {@link Step} of every later write, replacing any earlier hook.
   *
   * <p>The hook runs on the writing thread while this mount's lock is held, so it can pause the
   * writer (for example on a latch) while other threads read the half-written directory. Writes
   * started from inside the hook are rejected. An exception thrown by the hook aborts the write
   * at that point and leaves the directory as it is, like a crashed writer; it propagates to the
   * caller of the write.
   *
   * @param hook called with each step; {@code step -> { }} to remove a hook
   * @return this mount
   */
  public SecretsMount onStep(Consumer<Step> hook) {
    this.hook = Objects.requireNonNull(hook, "hook");
    return this;
  }

  /**
   * Describes this mount by layout and directory.
   *
   * @return a short description
   */
  @Override
  public String toString() {
    return "SecretsMount[" + layout + " at " + root + "]";
  }

  // ----------------------------------------------------------------------------------------
  // Layout A: the atomic writer

  /**
   * Runs the atomic writer's steps 2 to 10 for an already validated payload.
   *
   * @return whether anything on disk changed
   */
  private boolean writeGeneration(Map<String, byte[]> next) throws IOException {
    // (2) find the current generation
    Optional<String> oldName = readDataLink();
    Path oldGeneration = oldName.map(root::resolve).orElse(null);
    Set<String> pathsToRemove = Set.of();
    if (oldGeneration != null) {
      pathsToRemove = pathsToRemove(next, oldGeneration);
      // (3) nothing changed and nothing to remove: stop
      if (pathsToRemove.isEmpty() && !anyContentDiffers(next, oldGeneration)) {
        return false;
      }
    }

    // (4) new generation directory, mode 0755
    Path generation = createGenerationDirectory();
    runHook(Step.GENERATION_CREATED);

    // (5) every file into it, then chmod
    for (Map.Entry<String, byte[]> file : next.entrySet()) {
      Path target = resolveIn(generation, file.getKey());
      createDirectoriesWithMode(generation, target.getParent());
      Files.write(target, file.getValue());
      setMode(target, FILE_MODE);
    }
    runHook(Step.GENERATION_WRITTEN);

    // (6) missing visible links name -> ..data/name, first path component only
    FileSystem fs = root.getFileSystem();
    for (String key : next.keySet()) {
      String top = firstComponent(key);
      Path link = root.resolve(top);
      if (Files.notExists(link, LinkOption.NOFOLLOW_LINKS)) {
        Files.createSymbolicLink(link, fs.getPath(DATA_LINK, top));
      }
    }
    runHook(Step.LINKS_CREATED);

    // (7) ..data_tmp -> new generation. A leftover of a write aborted between steps 7 and 8
    // (only possible through the hook) is removed first; the real writer would fail here.
    Path dataTmp = root.resolve(DATA_TMP_LINK);
    Files.deleteIfExists(dataTmp);
    Files.createSymbolicLink(dataTmp, generation.getFileName());
    runHook(Step.DATA_TMP_CREATED);

    // (8) the one atomic switch. rename(2) replaces ..data; REPLACE_EXISTING asks the same of
    // providers (such as Jimfs) that would otherwise refuse to move onto an existing name.
    Files.move(dataTmp, root.resolve(DATA_LINK), StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
    payload.clear();
    payload.putAll(next);
    runHook(Step.DATA_SWITCHED);

    // (9) visible links of top-level paths that went away
    for (String gone : pathsToRemove) {
      if (!gone.contains("/")) {
        Files.deleteIfExists(root.resolve(gone));
      }
    }
    runHook(Step.STALE_LINKS_REMOVED);

    // (10) the previous generation
    if (oldGeneration != null) {
      deleteRecursively(oldGeneration);
    }
    runHook(Step.OLD_GENERATION_REMOVED);
    return true;
  }

  private Optional<String> readDataLink() throws IOException {
    try {
      return Optional.of(Files.readSymbolicLink(root.resolve(DATA_LINK)).toString());
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (NotLinkException e) {
      throw new IOException(DATA_LINK + " in " + root + " exists but is not a symbolic link", e);
    }
  }

  /**
   * Every path (file or directory) of the old generation that is neither a path of the new
   * payload nor a directory above one.
   */
  private Set<String> pathsToRemove(Map<String, byte[]> next, Path oldGeneration) throws IOException {
    Set<String> keep = new HashSet<>();
    for (String key : next.keySet()) {
      String path = key;
      while (true) {
        keep.add(path);
        int slash = path.lastIndexOf('/');
        if (slash < 0) {
          break;
        }
        path = path.substring(0, slash);
      }
    }
    Set<String> remove = new LinkedHashSet<>();
    for (String old : listTree(oldGeneration, true)) {
      if (!keep.contains(old)) {
        remove.add(old);
      }
    }
    return remove;
  }

  private boolean anyContentDiffers(Map<String, byte[]> next, Path oldGeneration) throws IOException {
    for (Map.Entry<String, byte[]> file : next.entrySet()) {
      Path old = resolveIn(oldGeneration, file.getKey());
      if (!Files.isRegularFile(old, LinkOption.NOFOLLOW_LINKS)) {
        return true;
      }
      byte[] onDisk;
      try {
        onDisk = Files.readAllBytes(old);
      } catch (NoSuchFileException e) {
        return true;
      }
      if (!Arrays.equals(onDisk, file.getValue())) {
        return true;
      }
    }
    return false;
  }

  private Path createGenerationDirectory() throws IOException {
    String prefix = GENERATION_PREFIX.format(clock.instant());
    for (int attempt = 0; attempt < MAX_TEMP_NAME_ATTEMPTS; attempt++) {
      Path candidate = root.resolve(prefix + randomDigits());
      try {
        Files.createDirectory(candidate);
      } catch (FileAlreadyExistsException e) {
        continue;
      }
      setMode(candidate, DIR_MODE);
      return candidate;
    }
    throw new IOException("no free generation directory name " + prefix + "<digits> in " + root);
  }

  // ----------------------------------------------------------------------------------------
  // Layout B: temp file and rename, file by file

  private void writeViaTempFile(String name, byte[] content) throws IOException {
    Path target = resolve(name);
    Files.createDirectories(target.getParent());
    // (1) visible temp file <name><digits> beside the final name; (2) chmod, write, fsync
    Path temp = createTempFile(target);
    fillTempFile(temp, content);
    runHook(Step.TEMP_FILE_WRITTEN);
    // (3) rename over the final name
    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    payload.put(name, content);
    runHook(Step.FILE_RENAMED);
  }

  private Path createTempFile(Path target) throws IOException {
    Path dir = target.getParent();
    String prefix = target.getFileName().toString();
    FileAttribute<?>[] attributes = posix
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(TEMP_CREATE_MODE)}
        : new FileAttribute<?>[0];
    for (int attempt = 0; attempt < MAX_TEMP_NAME_ATTEMPTS; attempt++) {
      Path candidate = dir.resolve(prefix + randomDigits());
      try {
        return Files.createFile(candidate, attributes);
      } catch (FileAlreadyExistsException e) {
        // taken: try other digits, as os.CreateTemp does
      }
    }
    throw new IOException("no free temp file name " + prefix + "<digits> in " + dir);
  }

  private void fillTempFile(Path temp, byte[] content) throws IOException {
    setMode(temp, FILE_MODE);
    try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
      ByteBuffer buffer = ByteBuffer.wrap(content);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(true);
    }
  }

  // ----------------------------------------------------------------------------------------
  // Shared helpers

  private void beginWrite() {
    if (writing) {
      throw new IllegalStateException("a write to " + root
          + " is already in progress on this thread; the step hook must not write to the mount");
    }
    writing = true;
  }

  private void runHook(Step step) {
    hook.accept(step);
  }

  private void loadExisting() throws IOException {
    if (layout == Layout.ATOMIC_WRITER) {
      Optional<String> current = readDataLink();
      if (current.isEmpty()) {
        return;
      }
      Path generation = root.resolve(current.get());
      for (String key : listTree(generation, false)) {
        payload.put(key, Files.readAllBytes(resolveIn(generation, key)));
      }
    } else {
      for (String key : listTree(root, false)) {
        payload.put(key, Files.readAllBytes(resolve(key)));
      }
    }
  }

  /**
   * Relative paths ({@code /}-separated) below {@code dir}, without following links: regular
   * files only, or every entry (files, links, directories) when {@code everything} is set. A
   * missing directory has no entries.
   */
  private static List<String> listTree(Path dir, boolean everything) throws IOException {
    List<String> found = new ArrayList<>();
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return found;
    }
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
        if (everything && !d.equals(dir)) {
          found.add(relative(dir, d));
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
        if (everything || attrs.isRegularFile()) {
          found.add(relative(dir, file));
        }
        return FileVisitResult.CONTINUE;
      }
    });
    return found;
  }

  private static String relative(Path base, Path path) {
    StringBuilder name = new StringBuilder();
    for (Path element : base.relativize(path)) {
      if (name.length() > 0) {
        name.append('/');
      }
      name.append(element);
    }
    return name.toString();
  }

  /**
   * Deletes {@code path} and everything below it without following links; a path that does not
   * exist is ignored.
   *
   * @param path a file, link or directory
   * @throws IOException if something could not be deleted
   */
  static void deleteRecursively(Path path) throws IOException {
    if (Files.notExists(path, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(path, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.deleteIfExists(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
        if (e instanceof NoSuchFileException) {
          return FileVisitResult.CONTINUE;
        }
        throw e;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
        if (e != null && !(e instanceof NoSuchFileException)) {
          throw e;
        }
        Files.deleteIfExists(dir);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  private void createDirectoriesWithMode(Path base, Path dir) throws IOException {
    if (dir.equals(base) || Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    createDirectoriesWithMode(base, dir.getParent());
    Files.createDirectory(dir);
    setMode(dir, DIR_MODE);
  }

  private void setMode(Path path, Set<PosixFilePermission> mode) throws IOException {
    if (posix) {
      Files.setPosixFilePermissions(path, mode);
    }
  }

  private Path resolve(String key) {
    return resolveIn(root, key);
  }

  private static Path resolveIn(Path base, String key) {
    Path path = base;
    for (String element : key.split("/", -1)) {
      path = path.resolve(element);
    }
    return path;
  }

  private static String firstComponent(String key) {
    int slash = key.indexOf('/');
    return slash < 0 ? key : key.substring(0, slash);
  }

  private static String randomDigits() {
    return Integer.toUnsignedString(ThreadLocalRandom.current().nextInt());
  }

  private static Map<String, byte[]> toPayload(Map<String, ?> files) {
    Map<String, byte[]> next = new LinkedHashMap<>();
    for (Map.Entry<String, ?> file : files.entrySet()) {
      String name = file.getKey();
      validatePath(name);
      next.put(name, toBytes(name, file.getValue()));
    }
    return next;
  }

  private static byte[] toBytes(String name, Object value) {
    if (value instanceof String) {
      return ((String) value).getBytes(StandardCharsets.UTF_8);
    }
    if (value instanceof byte[]) {
      return ((byte[]) value).clone();
    }
    if (value == null) {
      throw new IllegalArgumentException("value of \"" + name + "\" is null; use remove(\"" + name
          + "\") to delete a file");
    }
    throw new IllegalArgumentException("value of \"" + name + "\" must be a String or byte[], not "
        + value.getClass().getName());
  }

  /**
   * Checks a payload path against the atomic writer's rules (step 1); both layouts use them.
   */
  static void validatePath(String path) {
    if (path == null) {
      throw new IllegalArgumentException("invalid path null: must not be null");
    }
    String quoted = "invalid path \"" + path + "\": ";
    if (path.isEmpty()) {
      throw new IllegalArgumentException(quoted + "must not be empty");
    }
    if (path.startsWith("/")) {
      throw new IllegalArgumentException(quoted + "must be relative, not start with '/'");
    }
    if (path.indexOf('\0') >= 0) {
      throw new IllegalArgumentException(quoted + "must not contain a NUL character");
    }
    if (path.getBytes(StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
      throw new IllegalArgumentException(quoted + "must be at most " + MAX_PATH_BYTES
          + " bytes long (UTF-8)");
    }
    String[] elements = path.split("/", -1);
    for (String element : elements) {
      if (element.equals("..")) {
        throw new IllegalArgumentException(quoted + "must not contain a '..' element");
      }
      if (element.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
        throw new IllegalArgumentException(quoted + "each name must be at most " + MAX_NAME_BYTES
            + " bytes long (UTF-8), but \"" + element + "\" is longer");
      }
    }
    if (elements[0].startsWith("..")) {
      throw new IllegalArgumentException(quoted + "must not start with '..' (names starting with '..'"
          + " are the writer's internal entries such as ..data)");
    }
    for (String element : elements) {
      if (element.isEmpty() || element.equals(".")) {
        throw new IllegalArgumentException(quoted + "must be clean: no empty element, no '.' element,"
            + " no trailing '/'");
      }
    }
  }

  /** Rejects payloads in which a path is both a file and a directory above another file. */
  private static void checkNoConflicts(Set<String> keys) {
    for (String key : keys) {
      int slash = key.indexOf('/');
      while (slash >= 0) {
        String parent = key.substring(0, slash);
        if (keys.contains(parent)) {
          throw new IllegalArgumentException("invalid path \"" + key + "\": needs \"" + parent
              + "\" to be a directory, but \"" + parent + "\" is also a file");
        }
        slash = key.indexOf('/', slash + 1);
      }
    }
  }
}
