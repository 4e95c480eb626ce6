package io.github.mountedsecrets;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads the files of a mount, in whichever layout it uses, into a {@link Scan}.
 *
 * <h2>Containment</h2>
 *
 * <p>Nothing is opened by a path that could lead out of the mount. The mount's root is opened
 * once as a directory handle; every directory below it is opened relative to its parent's
 * handle without following links, and the opened handle's identity (device and inode) is
 * compared with the entry that was listed, so a directory swapped for a link after it was
 * listed is never read. Files are opened relative to their directory's handle without
 * following links (a link swapped in makes the open fail) and only entries listed as regular
 * files are opened at all. A symbolic link is followed by resolving it, refusing it when its
 * target lies outside the mount, and then walking to the target from the root's handle, one
 * component at a time, again without following links. {@code ..data} may only name a
 * generation directory directly inside the mount. Where the file system offers no secure
 * directory streams (not Linux, macOS or Jimfs), paths are checked with their real path
 * instead.
 *
 * <p>Opening an entry that was swapped for a FIFO between its listing and its opening blocks
 * in the kernel; Java offers no non-blocking open. The caller therefore runs every read on a
 * thread of its own with a deadline ({@link BoundedIo}), and {@link #opening()} says which
 * entry a stalled read is opening.
 *
 * <h2>Consistency</h2>
 *
 * <p>For the atomic writer, {@code ..data} is resolved once, that generation directory is
 * read, and {@code ..data} is read again: if it moved, or the generation vanished mid-read,
 * the read starts over. For plain files, each file's identity (file key, modification time
 * and size) is taken before it is read and checked again after the whole directory was read;
 * a difference, a file whose size changed while it was read, or a new name that looks like a
 * writer's temporary file marks the scan unsettled, and the caller reads again after the
 * quiet period.
 *
 * <h2>Names</h2>
 *
 * <p>Entries are opened through the names the directory listing returned, byte for byte, so
 * a name the platform's encoding cannot represent (the POSIX locale of minimal container
 * images) is still opened. Keys are those bytes decoded as UTF-8; an entry whose name is not
 * valid UTF-8 is skipped and reported.
 *
 * <p>Not thread-safe: one reader is used by one read at a time.
 */
final class MountReader {
  static final String DATA_LINK = "..data";
  private static final int MAX_GENERATION_ATTEMPTS = 20;
  private static final int MAX_LAYOUT_ATTEMPTS = 3;
  private static final int MIN_TEMP_SUFFIX_DIGITS = 6;
  private static final int MAX_TEMP_SUFFIX_DIGITS = 10;
  private static final boolean UTF8_NAMES = isUtf8(System.getProperty("sun.jnu.encoding"));
  private static final List<Object> UNREADABLE = List.of("unreadable");

  /** Called before a file is opened; a seam for tests that simulate unreadable files. */
  @FunctionalInterface
  interface OpenCheck {
    void beforeOpen(String relative) throws IOException;
  }

  private final Path root;
  private final long maxFileSize;
  private final int maxDepth;
  private final OpenCheck openCheck;
  private volatile Path opening;

  MountReader(Path root, long maxFileSize, int maxDepth, OpenCheck openCheck) {
    this.root = root;
    this.maxFileSize = maxFileSize;
    this.maxDepth = maxDepth;
    this.openCheck = openCheck;
  }

  /** What one read of the mount found. Maps are sorted by name. */
  static final class Scan {
    MountLayout layout = MountLayout.NONE;
    String generation;
    /** Null when the mount is a readable directory, else why it is not usable. */
    String absentReason;
    boolean notADirectory;
    /** Files read successfully: relative name to content. */
    final Map<String, byte[]> files = new TreeMap<>();
    /** Entries present but not read, or read but skipped: relative name to the reason. */
    final Map<String, String> problems = new TreeMap<>();
    /** Relative names of the directories read (or found unreadable). */
    final Set<String> directoryNames = new HashSet<>();
    /** Temporary files of an in-progress write that were left out. */
    final Set<String> skippedTemporaryFiles = new HashSet<>();
    /** For plain files: identity of every file, to detect changes without reading them. */
    final Map<String, List<Object>> identities = new TreeMap<>();
    /** For plain files: the path each identity was taken from, as listed (bytes kept). */
    final Map<String, Path> identityPaths = new LinkedHashMap<>();
    /** Plain files whose content changed while they were read. */
    final Set<String> changing = new HashSet<>();
    /** Directories below the root (real paths), to watch in the plain-file layout. */
    final List<Path> directories = new ArrayList<>();
    /** Whether a writer seemed to be busy: read again after the quiet period. */
    boolean unsettled;
    String unsettledReason;

    boolean absent() {
      return absentReason != null;
    }
  }

  /** Returns the entry a read is opening right now, or null. */
  Path opening() {
    return opening;
  }

  /** Returns the current target of {@code ..data}, or null when there is no such link. */
  String currentGeneration() throws IOException {
    // One readlink: no stat before it, whatever the number of files.
    try {
      return Files.readSymbolicLink(root.resolve(DATA_LINK)).toString();
    } catch (NoSuchFileException | NotDirectoryException | NotLinkException e) {
      return null;
    } catch (FileSystemException e) {
      return null; // EINVAL: ..data exists but is not a link
    }
  }

  /**
   * Reads the mount.
   *
   * @param knownFiles names present in the previous snapshot; a new name that looks like a
   *     temporary file is only trusted once it survives the quiet period
   */
  Scan read(Set<String> knownFiles) throws IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        return readOnce(knownFiles);
      } catch (LayoutChangedException e) {
        if (attempt >= MAX_LAYOUT_ATTEMPTS) {
          throw new IOException("the mount changed its layout " + attempt
              + " times while it was read; reading again later");
        }
      }
    }
  }

  private Scan readOnce(Set<String> knownFiles) throws IOException {
    Scan scan = new Scan();
    BasicFileAttributes rootAttrs;
    try {
      rootAttrs = Files.readAttributes(root, BasicFileAttributes.class);
    } catch (NoSuchFileException | NotDirectoryException e) {
      scan.absentReason = "does not exist";
      return scan;
    }
    if (!rootAttrs.isDirectory()) {
      scan.absentReason = "is not a directory";
      scan.notADirectory = true;
      return scan;
    }
    Path realRoot = root.toRealPath();
    opening = realRoot;
    Dir opened;
    try {
      opened = Dir.open(realRoot, rootAttrs.fileKey());
    } finally {
      opening = null;
    }
    try (Dir top = opened) {
      Walk walk = new Walk(scan, realRoot, top, knownFiles);
      BasicFileAttributes data = top.lstatOrNull(top.name(DATA_LINK));
      if (data != null) {
        walk.plainFiles = false;
        readGeneration(walk);
      } else {
        scan.layout = MountLayout.FILE_BY_FILE;
        Set<Object> visiting = new HashSet<>();
        visiting.add(identityKey(rootAttrs, realRoot));
        readDirectory(walk, top, "", 1, visiting);
        if (walk.atomicRemnant != null) {
          scan.absentReason = "is incomplete: '" + Names.printable(walk.atomicRemnant)
              + "' of the atomic writer is there but " + DATA_LINK + " is not (the mount is being "
              + "taken apart, or its first write has not finished)";
          return scan;
        }
        if (!scan.unsettled) {
          checkIdentities(scan);
        }
      }
    } catch (NoSuchFileException | NotDirectoryException e) {
      if (!Files.isDirectory(root)) {
        scan = new Scan();
        scan.absentReason = "disappeared while it was read";
        return scan;
      }
      throw e;
    }
    return scan;
  }

  /** State shared by one walk through the mount. */
  private static final class Walk {
    final Scan scan;
    final Path realRoot;
    final Dir top;
    final Set<String> knownFiles;
    boolean plainFiles = true;
    String atomicRemnant;

    Walk(Scan scan, Path realRoot, Dir top, Set<String> knownFiles) {
      this.scan = scan;
      this.realRoot = realRoot;
      this.top = top;
      this.knownFiles = knownFiles;
    }
  }

  /** The mount changed from one layout to the other while it was read; read it again. */
  private static final class LayoutChangedException extends IOException {
    private static final long serialVersionUID = 1L;

    LayoutChangedException() {
      super("layout changed", null);
    }
  }

  private void readGeneration(Walk walk) throws IOException {
    Scan scan = walk.scan;
    scan.layout = MountLayout.ATOMIC_WRITER;
    Path dataPath = walk.realRoot.resolve(DATA_LINK);
    for (int attempt = 1; attempt <= MAX_GENERATION_ATTEMPTS; attempt++) {
      Path target = readDataLink(dataPath);
      String targetName = target.toString();
      if (!isGenerationName(target)) {
        throw new IOException(DATA_LINK + " points to '" + Names.printable(targetName)
            + "', which is not the name of a generation directory directly inside the mount; "
            + "refused");
      }
      BasicFileAttributes generation = walk.top.lstatOrNull(target);
      if (generation == null) {
        if (targetName.equals(readDataLinkOrNull(dataPath))) {
          throw new IOException(DATA_LINK + " is dangling: it points to '"
              + Names.printable(targetName) + "', which does not exist (the mount is being "
              + "taken apart, or its writer failed)");
        }
        continue; // The writer switched generations and removed the old one.
      }
      if (!generation.isDirectory()) {
        throw new IOException(DATA_LINK + " points to '" + Names.printable(targetName)
            + "', which is not a directory (" + kind(generation) + "); refused");
      }
      Scan attemptScan = new Scan();
      attemptScan.layout = MountLayout.ATOMIC_WRITER;
      Walk attemptWalk = new Walk(attemptScan, walk.realRoot, walk.top, Set.of());
      attemptWalk.plainFiles = false;
      Set<Object> visiting = new HashSet<>();
      visiting.add(identityKey(generation, walk.realRoot.resolve(target)));
      try (Dir dir = openDir(walk.top, target, generation)) {
        readDirectory(attemptWalk, dir, "", 1, visiting);
      } catch (NoSuchFileException | NotDirectoryException | EntryChangedException e) {
        continue; // The generation was removed mid-read: a newer one is in place.
      }
      if (targetName.equals(readDataLinkOrNull(dataPath))) {
        scan.generation = targetName;
        scan.files.putAll(attemptScan.files);
        scan.problems.putAll(attemptScan.problems);
        scan.directoryNames.addAll(attemptScan.directoryNames);
        return;
      }
    }
    throw new IOException(DATA_LINK + " moved " + MAX_GENERATION_ATTEMPTS
        + " times while the mount was read; the writer rotates faster than it can be read");
  }

  private static Path readDataLink(Path dataPath) throws IOException {
    try {
      return Files.readSymbolicLink(dataPath);
    } catch (NoSuchFileException e) {
      throw new LayoutChangedException();
    } catch (NotLinkException e) {
      throw new IOException(DATA_LINK + " is not a symbolic link; refused");
    } catch (FileSystemException e) {
      throw new IOException(DATA_LINK + " is not a symbolic link (" + reason(e) + "); refused");
    }
  }

  private static String readDataLinkOrNull(Path dataPath) {
    try {
      return Files.readSymbolicLink(dataPath).toString();
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * Returns whether a {@code ..data} target names a generation directory: one name, starting
   * with {@code ..}, other than the writer's own links.
   */
  static boolean isGenerationName(Path target) {
    if (target.isAbsolute() || target.getNameCount() != 1) {
      return false;
    }
    String name = target.toString();
    return name.startsWith("..") && name.length() > 2 && !name.equals(DATA_LINK)
        && !name.equals("..data_tmp") && name.indexOf('/') < 0 && name.indexOf('\\') < 0
        && !name.equals("...");
  }

  private void readDirectory(Walk walk, Dir dir, String prefix, int depth, Set<Object> visiting)
      throws IOException {
    Scan scan = walk.scan;
    List<Path> names = dir.list();
    List<Entry> entries = new ArrayList<>(names.size());
    Set<String> nameSet = new HashSet<>();
    for (Path name : names) {
      String decoded = decodeName(name);
      if (decoded == null) {
        scan.problems.put(prefix + escapedName(name), "has a name that is not valid UTF-8; "
            + "skipped (rename it, or set the provider's objectAlias to an ASCII name)");
        continue;
      }
      entries.add(new Entry(name, decoded));
      nameSet.add(decoded);
    }
    entries.sort(Comparator.comparing(e -> e.decoded));
    for (Entry entry : entries) {
      String decoded = entry.decoded;
      if (decoded.startsWith("..")) {
        // Internal entries of the atomic writer: ..data, ..data_tmp, generations.
        if (walk.plainFiles && depth == 1) {
          walk.atomicRemnant = decoded;
        }
        continue;
      }
      String relative = prefix + decoded;
      if (walk.plainFiles && isTemporaryName(decoded, nameSet)) {
        scan.skippedTemporaryFiles.add(relative);
        continue;
      }
      if (walk.plainFiles) {
        Path listed = dir.path(entry.name);
        List<Object> identity = entryIdentity(listed);
        if (identity != null) {
          scan.identities.put(relative, identity);
          scan.identityPaths.put(relative, listed);
        }
      }
      BasicFileAttributes own;
      try {
        own = dir.lstat(entry.name);
      } catch (NoSuchFileException e) {
        if (walk.plainFiles) {
          markUnsettled(scan, relative, "vanished while the directory was read");
          continue;
        }
        throw e;
      } catch (IOException e) {
        scan.problems.put(relative, "could not be examined (" + reason(e) + ")");
        continue;
      }
      if (own.isSymbolicLink()) {
        followLink(walk, dir, entry.name, relative, depth, visiting);
      } else {
        readEntry(walk, dir, entry.name, own, relative, depth, visiting);
      }
    }
  }

  private record Entry(Path name, String decoded) {}

  /** Reads what a link points to, if that lies inside the mount. */
  private void followLink(Walk walk, Dir dir, Path name, String relative, int depth,
      Set<Object> visiting) throws IOException {
    Scan scan = walk.scan;
    Path link = dir.path(name);
    if (walk.plainFiles && depth == 1) {
      try {
        String target = Files.readSymbolicLink(link).toString();
        if (target.equals(DATA_LINK) || target.startsWith(DATA_LINK + "/")) {
          walk.atomicRemnant = decodeName(name);
        }
      } catch (IOException e) {
        // Examined below.
      }
    }
    Path real;
    try {
      real = link.toRealPath();
    } catch (NoSuchFileException e) {
      scan.problems.put(relative, "is a dangling symbolic link (its target does not exist)");
      return;
    } catch (FileSystemLoopException e) {
      scan.problems.put(relative, "is part of a symbolic link loop");
      return;
    } catch (FileSystemException e) {
      scan.problems.put(relative, isLoop(e)
          ? "is part of a symbolic link loop"
          : "is a symbolic link that cannot be followed (" + reason(e) + ")");
      return;
    }
    if (!real.startsWith(walk.realRoot)) {
      scan.problems.put(relative, "is a symbolic link pointing outside the mount; refused");
      return;
    }
    Path inside = walk.realRoot.relativize(real);
    if (inside.toString().isEmpty()) {
      scan.problems.put(relative, "is part of a symbolic link loop");
      return;
    }
    List<Dir> opened = new ArrayList<>();
    try {
      Dir parent = walk.top;
      int count = inside.getNameCount();
      for (int i = 0; i < count - 1; i++) {
        Path component = inside.getName(i);
        BasicFileAttributes attrs = parent.lstat(component);
        if (!attrs.isDirectory()) {
          linkChanged(walk, relative);
          return;
        }
        parent = openDir(parent, component, attrs);
        opened.add(parent);
      }
      Path last = inside.getName(count - 1);
      BasicFileAttributes target = parent.lstat(last);
      if (target.isSymbolicLink()) {
        linkChanged(walk, relative);
        return;
      }
      readEntry(walk, parent, last, target, relative, depth, visiting);
    } catch (NoSuchFileException | NotDirectoryException | EntryChangedException e) {
      linkChanged(walk, relative);
    } catch (AccessDeniedException e) {
      scan.problems.put(relative, "is a symbolic link whose target is not readable (permission "
          + "denied)");
    } finally {
      for (int i = opened.size() - 1; i >= 0; i--) {
        opened.get(i).close();
      }
    }
  }

  private static void linkChanged(Walk walk, String relative) throws IOException {
    if (walk.plainFiles) {
      markUnsettled(walk.scan, relative, "changed while its link was followed");
    } else {
      throw new EntryChangedException(); // Read the generation again.
    }
  }

  private void readEntry(Walk walk, Dir parent, Path name, BasicFileAttributes attrs,
      String relative, int depth, Set<Object> visiting) throws IOException {
    Scan scan = walk.scan;
    if (attrs.isDirectory()) {
      scan.directoryNames.add(relative);
      if (depth >= maxDepth) {
        scan.problems.put(relative, "is a directory nested deeper than maxDepth=" + maxDepth
            + "; its files were not read");
        return;
      }
      Object key = identityKey(attrs, parent.path(name));
      if (!visiting.add(key)) {
        scan.problems.put(relative, "is part of a symbolic link loop");
        return;
      }
      try (Dir sub = openDir(parent, name, attrs)) {
        if (walk.plainFiles) {
          scan.directories.add(sub.path());
        }
        readDirectory(walk, sub, relative + "/", depth + 1, visiting);
      } catch (AccessDeniedException e) {
        unreadableDirectory(walk, relative, "is a directory that cannot be read (permission "
            + "denied); its files were skipped. Check the volume's file permission and the "
            + "pod's fsGroup / runAsUser");
      } catch (NoSuchFileException | NotDirectoryException | EntryChangedException e) {
        if (!walk.plainFiles) {
          throw e;
        }
        markUnsettled(scan, relative, "changed while it was read");
      } catch (FileSystemException e) {
        if (isLoop(e) && walk.plainFiles) {
          markUnsettled(scan, relative, "was replaced by a symbolic link while it was read");
        } else {
          unreadableDirectory(walk, relative, "is a directory that could not be read ("
              + reason(e) + "); its files were skipped");
        }
      } finally {
        visiting.remove(key);
      }
    } else if (attrs.isRegularFile()) {
      readFile(walk, parent, name, attrs, relative);
    } else {
      scan.problems.put(relative, "is not a regular file (" + kind(attrs) + "); never opened");
    }
  }

  /** Opens a directory entry, saying which while the open is under way. */
  private Dir openDir(Dir parent, Path name, BasicFileAttributes attrs) throws IOException {
    opening = parent.path(name);
    try {
      return parent.openDir(name, attrs);
    } finally {
      opening = null;
    }
  }

  private static void unreadableDirectory(Walk walk, String relative, String reason) {
    walk.scan.problems.put(relative, reason);
    if (walk.plainFiles) {
      walk.scan.identities.put(relative + "/", UNREADABLE);
    }
  }

  private void readFile(Walk walk, Dir parent, Path name, BasicFileAttributes attrs,
      String relative) throws IOException {
    Scan scan = walk.scan;
    if (walk.plainFiles && !walk.knownFiles.contains(relative)
        && endsWithTemporarySuffix(relative)) {
      markUnsettled(scan, relative, "is new and named like a writer's temporary file");
    }
    if (attrs.size() > maxFileSize) {
      scan.problems.put(relative, "is " + attrs.size() + " bytes, over maxFileSize="
          + maxFileSize + " bytes; not read");
      return;
    }
    byte[] content;
    opening = parent.path(name);
    try {
      openCheck.beforeOpen(relative);
      try (SeekableByteChannel channel = parent.openFile(name)) {
        opening = null;
        if (!seekable(channel)) {
          scan.problems.put(relative, "was replaced by something other than a regular file "
              + "while it was opened; not read");
          return;
        }
        InputStream in = Channels.newInputStream(channel);
        content = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxFileSize + 1));
        if (content.length > maxFileSize) {
          scan.problems.put(relative, "grew over maxFileSize=" + maxFileSize + " bytes; not read");
          return;
        }
        if (channel.size() != content.length) {
          changedWhileRead(walk, relative);
          return;
        }
      }
      BasicFileAttributes after = parent.lstat(name);
      if (!Objects.equals(after.fileKey(), attrs.fileKey()) || after.size() != content.length) {
        changedWhileRead(walk, relative);
        return;
      }
      scan.files.put(relative, content);
    } catch (AccessDeniedException e) {
      scan.problems.put(relative, "is not readable (permission denied); check the volume's "
          + "file permission and the pod's fsGroup / runAsUser");
    } catch (NoSuchFileException e) {
      if (walk.plainFiles) {
        markUnsettled(scan, relative, "vanished while it was read");
      } else {
        throw e;
      }
    } catch (FileSystemException e) {
      if (isLoop(e)) {
        if (walk.plainFiles) {
          markUnsettled(scan, relative, "was replaced by a symbolic link while it was read");
        } else {
          scan.problems.put(relative, "was replaced by a symbolic link while it was read; "
              + "not read");
        }
      } else {
        scan.problems.put(relative, "could not be read (" + reason(e) + ")");
      }
    } catch (IOException e) {
      scan.problems.put(relative, "could not be read (" + reason(e) + ")");
    } finally {
      opening = null;
    }
  }

  private static void changedWhileRead(Walk walk, String relative) {
    if (walk.plainFiles) {
      walk.scan.changing.add(relative);
      markUnsettled(walk.scan, relative, "changed while it was read");
    } else {
      walk.scan.problems.put(relative, "changed while it was read, though files of a "
          + "generation never change; not read");
    }
  }

  /** Whether a channel can seek: true for regular files, false for FIFOs and sockets. */
  private static boolean seekable(SeekableByteChannel channel) {
    try {
      if (channel instanceof FileChannel) {
        ((FileChannel) channel).position();
      }
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Re-reads every file's identity; a change means a writer was busy during the read. */
  private static void checkIdentities(Scan scan) {
    for (Map.Entry<String, Path> entry : scan.identityPaths.entrySet()) {
      if (!scan.identities.get(entry.getKey()).equals(entryIdentity(entry.getValue()))) {
        markUnsettled(scan, entry.getKey(), "changed while the mount was read");
        scan.changing.add(entry.getKey());
      }
    }
  }

  /**
   * Returns the identity of every plain file without reading content, for a cheap poll.
   * Returns null when the mount is absent or uses the atomic writer.
   */
  Map<String, List<Object>> identities() throws IOException {
    if (!Files.isDirectory(root) || Files.isSymbolicLink(root.resolve(DATA_LINK))) {
      return null;
    }
    Map<String, List<Object>> result = new LinkedHashMap<>();
    Path realRoot = root.toRealPath();
    collectIdentities(realRoot, realRoot, "", 1, result, new HashSet<>(List.of(realRoot)));
    return result;
  }

  private void collectIdentities(Path realRoot, Path dir, String prefix, int depth,
      Map<String, List<Object>> result, Set<Path> visiting) throws IOException {
    List<Entry> entries = new ArrayList<>();
    Set<String> nameSet = new HashSet<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
      for (Path entry : stream) {
        Path fileName = entry.getFileName();
        String decoded = fileName == null ? null : decodeName(fileName);
        if (decoded != null) {
          entries.add(new Entry(fileName, decoded));
          nameSet.add(decoded);
        }
      }
    }
    entries.sort(Comparator.comparing(e -> e.decoded));
    for (Entry entry : entries) {
      String name = entry.decoded;
      if (name.startsWith("..") || isTemporaryName(name, nameSet)) {
        continue;
      }
      Path path = dir.resolve(entry.name);
      List<Object> identity = entryIdentity(path);
      if (identity != null) {
        result.put(prefix + name, identity);
        continue;
      }
      // A directory: descend exactly where read() descends.
      Path realDir;
      try {
        realDir = path.toRealPath();
      } catch (IOException e) {
        continue;
      }
      if (depth < maxDepth && realDir.startsWith(realRoot) && visiting.add(realDir)) {
        try {
          collectIdentities(realRoot, path, prefix + name + "/", depth + 1, result, visiting);
        } catch (NoSuchFileException e) {
          throw e;
        } catch (IOException e) {
          result.put(prefix + name + "/", UNREADABLE);
        }
        visiting.remove(realDir);
      }
    }
  }

  /**
   * Returns what identifies an entry's current content without reading it (file key,
   * modification time, size, following links), a marker for an entry that cannot be
   * examined, or null for a directory. The same function serves the read and the poll, so
   * that an unchanged mount always compares equal.
   */
  private static List<Object> entryIdentity(Path path) {
    try {
      BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class);
      return attrs.isDirectory() ? null : identity(attrs);
    } catch (IOException e) {
      return UNREADABLE;
    }
  }

  private static List<Object> identity(BasicFileAttributes attrs) {
    Object key = attrs.fileKey();
    return List.of(key == null ? "" : key, attrs.lastModifiedTime(), attrs.size());
  }

  /** What makes a directory unique while it is walked: its file key, else its path. */
  private static Object identityKey(BasicFileAttributes attrs, Path path) {
    Object key = attrs.fileKey();
    return key != null ? key : path;
  }

  private static void markUnsettled(Scan scan, String relative, String why) {
    if (!scan.unsettled) {
      scan.unsettled = true;
      scan.unsettledReason = "'" + Names.printable(relative) + "' " + why;
    }
  }

  private static String kind(BasicFileAttributes attrs) {
    if (attrs.isSymbolicLink()) {
      return "a symbolic link";
    }
    if (attrs.isRegularFile()) {
      return "a regular file";
    }
    return attrs.isOther() ? "a FIFO, socket or device" : "not a directory";
  }

  // ---------------------------------------------------------------------------------------
  // Names

  /**
   * Returns an entry's name as UTF-8 text, from the name's own bytes where the platform's
   * encoding may have lost them; null when the bytes are not valid UTF-8.
   */
  static String decodeName(Path fileName) {
    String text = fileName.toString();
    if (text.indexOf('\uFFFD') < 0 && (UTF8_NAMES || isAscii(text))) {
      return text;
    }
    byte[] raw = rawName(fileName);
    if (raw == null) {
      return text.indexOf('\uFFFD') < 0 ? text : null;
    }
    return SecretsSnapshot.decode(raw);
  }

  /** Returns a printable form of a name that is not valid UTF-8: other bytes as \xNN. */
  static String escapedName(Path fileName) {
    byte[] raw = rawName(fileName);
    if (raw == null) {
      return Names.printable(fileName.toString());
    }
    StringBuilder sb = new StringBuilder();
    for (byte b : raw) {
      int c = b & 0xff;
      if (c >= 0x20 && c < 0x7f && c != '\\') {
        sb.append((char) c);
      } else {
        sb.append(String.format(java.util.Locale.ROOT, "\\x%02X", c));
      }
    }
    return sb.toString();
  }

  /** The bytes of a file name on the default file system, read back from its URI. */
  private static byte[] rawName(Path fileName) {
    if (!"file".equals(fileName.getFileSystem().provider().getScheme())) {
      return null;
    }
    String path = fileName.toUri().getRawPath();
    if (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    String last = path.substring(path.lastIndexOf('/') + 1);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(last.length());
    for (int i = 0; i < last.length(); i++) {
      char c = last.charAt(i);
      if (c == '%' && i + 2 < last.length()) {
        out.write(Integer.parseInt(last.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        out.write(c);
      }
    }
    return out.toByteArray();
  }

  private static boolean isAscii(String text) {
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }

  private static boolean isUtf8(String encoding) {
    return encoding != null && (encoding.equalsIgnoreCase("UTF-8")
        || encoding.equalsIgnoreCase("UTF8"));
  }

  /**
   * Returns whether a name is a temporary file of the AWS provider's writer: the name of
   * another entry of the same directory followed by the random digits Go's
   * {@code os.CreateTemp} appends.
   */
  static boolean isTemporaryName(String name, Set<String> siblings) {
    int digits = trailingDigits(name);
    if (digits < MIN_TEMP_SUFFIX_DIGITS) {
      return false;
    }
    int firstCut = Math.max(1, name.length() - Math.min(digits, MAX_TEMP_SUFFIX_DIGITS));
    for (int cut = firstCut; cut <= name.length() - MIN_TEMP_SUFFIX_DIGITS; cut++) {
      if (siblings.contains(name.substring(0, cut))) {
        return true;
      }
    }
    return false;
  }

  private static boolean endsWithTemporarySuffix(String relative) {
    int slash = relative.lastIndexOf('/');
    String name = slash < 0 ? relative : relative.substring(slash + 1);
    return trailingDigits(name) >= MIN_TEMP_SUFFIX_DIGITS && trailingDigits(name) < name.length();
  }

  private static int trailingDigits(String name) {
    int count = 0;
    for (int i = name.length() - 1; i >= 0 && name.charAt(i) >= '0' && name.charAt(i) <= '9'; i--) {
      count++;
    }
    return count;
  }

  private static boolean isLoop(FileSystemException e) {
    String reason = e.getReason();
    return reason != null && reason.toLowerCase(java.util.Locale.ROOT).contains("too many levels");
  }

  static String reason(IOException e) {
    if (e instanceof FileSystemException) {
      String reason = ((FileSystemException) e).getReason();
      return e.getClass().getSimpleName() + (reason == null ? "" : ": " + reason);
    }
    return e.getClass().getSimpleName();
  }

  static String reason(Throwable e) {
    return e instanceof IOException ? reason((IOException) e) : e.getClass().getSimpleName();
  }
}
