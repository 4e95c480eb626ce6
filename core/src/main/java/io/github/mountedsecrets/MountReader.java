package io.github.mountedsecrets;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads the files of a mount, in whichever layout it uses, into a {@link Scan}.
 *
 * <p>Consistency. For the atomic writer, {@code ..data} is resolved once, that generation
 * directory is read, and {@code ..data} is read again: if it moved, or the generation
 * vanished mid-read, the read starts over. For plain files, each file's identity (file key,
 * modification time and size) is taken before it is read and checked again after the whole
 * directory was read; a difference, or a new name that looks like a writer's temporary
 * file, marks the scan unsettled, and the caller reads again after the quiet period.
 *
 * <p>Not thread-safe: one reader is used by one reload at a time.
 */
final class MountReader {
  static final String DATA_LINK = "..data";
  private static final int MAX_GENERATION_ATTEMPTS = 20;
  private static final int MIN_TEMP_SUFFIX_DIGITS = 6;
  private static final int MAX_TEMP_SUFFIX_DIGITS = 10;

  /** Opens a file for reading; a seam for tests that simulate unreadable files. */
  @FunctionalInterface
  interface Opener {
    InputStream open(Path path) throws IOException;
  }

  private final Path root;
  private final long maxFileSize;
  private final int maxDepth;
  private final Opener opener;

  MountReader(Path root, long maxFileSize, int maxDepth, Opener opener) {
    this.root = root;
    this.maxFileSize = maxFileSize;
    this.maxDepth = maxDepth;
    this.opener = opener;
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
    /** Files present but not read, or read but skipped: relative name to the reason. */
    final Map<String, String> problems = new TreeMap<>();
    /** Temporary files of an in-progress write that were left out. */
    final Set<String> skippedTemporaryFiles = new HashSet<>();
    /** For plain files: identity of every file, to detect changes without reading them. */
    final Map<String, List<Object>> identities = new TreeMap<>();
    /** Directories below the root (real paths), to watch in the plain-file layout. */
    final List<Path> directories = new ArrayList<>();
    /** Whether a writer seemed to be busy: read again after the quiet period. */
    boolean unsettled;
    String unsettledReason;

    boolean absent() {
      return absentReason != null;
    }
  }

  /** Returns the current target of {@code ..data}, or null when there is no such link. */
  String currentGeneration() throws IOException {
    // One readlink: no stat before it, whatever the number of files.
    try {
      return Files.readSymbolicLink(root.resolve(DATA_LINK)).toString();
    } catch (NoSuchFileException | NotDirectoryException | java.nio.file.NotLinkException e) {
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
    Scan scan = new Scan();
    if (!Files.exists(root)) {
      scan.absentReason = "does not exist";
      return scan;
    }
    if (!Files.isDirectory(root)) {
      scan.absentReason = "is not a directory";
      scan.notADirectory = true;
      return scan;
    }
    Path realRoot = root.toRealPath();
    if (Files.isSymbolicLink(root.resolve(DATA_LINK))) {
      readGeneration(scan, realRoot);
    } else {
      scan.layout = MountLayout.FILE_BY_FILE;
      Set<Path> visiting = new HashSet<>();
      visiting.add(realRoot);
      readDirectory(scan, realRoot, realRoot, "", 1, visiting, true, knownFiles);
      if (!scan.unsettled) {
        checkIdentities(scan, realRoot);
      }
    }
    return scan;
  }

  private void readGeneration(Scan scan, Path realRoot) throws IOException {
    scan.layout = MountLayout.ATOMIC_WRITER;
    Path data = root.resolve(DATA_LINK);
    for (int attempt = 1; attempt <= MAX_GENERATION_ATTEMPTS; attempt++) {
      String target;
      try {
        target = Files.readSymbolicLink(data).toString();
      } catch (NoSuchFileException e) {
        // ..data is being replaced right now (or the layout changed); try again.
        if (!Files.exists(root)) {
          scan.absentReason = "disappeared while it was read";
          return;
        }
        continue;
      }
      if (target.isEmpty() || target.contains("/") || target.contains(root.getFileSystem().getSeparator())) {
        throw new IOException(DATA_LINK + " points to '" + Names.printable(target)
            + "', not to a generation directory inside the mount");
      }
      Path generationDir = realRoot.resolve(target);
      Scan attemptScan = new Scan();
      attemptScan.layout = MountLayout.ATOMIC_WRITER;
      try {
        Set<Path> visiting = new HashSet<>();
        visiting.add(generationDir);
        readDirectory(attemptScan, realRoot, generationDir, "", 1, visiting, false, Set.of());
      } catch (NoSuchFileException | NotDirectoryException e) {
        continue; // The generation was removed mid-read: a newer one is in place.
      }
      String after;
      try {
        after = Files.readSymbolicLink(data).toString();
      } catch (NoSuchFileException e) {
        continue;
      }
      if (after.equals(target)) {
        scan.generation = target;
        scan.files.putAll(attemptScan.files);
        scan.problems.putAll(attemptScan.problems);
        return;
      }
    }
    throw new IOException(DATA_LINK + " moved " + MAX_GENERATION_ATTEMPTS
        + " times while the mount was read; the writer rotates faster than it can be read");
  }

  private void readDirectory(Scan scan, Path realRoot, Path dir, String prefix, int depth,
      Set<Path> visiting, boolean plainFiles, Set<String> knownFiles) throws IOException {
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
      for (Path entry : stream) {
        Path fileName = entry.getFileName();
        if (fileName != null) {
          names.add(fileName.toString());
        }
      }
    }
    Collections.sort(names);
    Set<String> nameSet = new HashSet<>(names);
    for (String name : names) {
      if (name.startsWith("..")) {
        continue; // Internal entries of the atomic writer: ..data, ..data_tmp, generations.
      }
      String relative = prefix + name;
      if (plainFiles && isTemporaryName(name, nameSet)) {
        scan.skippedTemporaryFiles.add(relative);
        continue;
      }
      Path path = dir.resolve(name);
      if (plainFiles) {
        List<Object> identity = entryIdentity(path);
        if (identity != null) {
          scan.identities.put(relative, identity);
        }
      }
      BasicFileAttributes attrs;
      Path real;
      try {
        BasicFileAttributes own = Files.readAttributes(path, BasicFileAttributes.class,
            LinkOption.NOFOLLOW_LINKS);
        if (own.isSymbolicLink()) {
          try {
            real = path.toRealPath();
          } catch (NoSuchFileException e) {
            scan.problems.put(relative, "is a dangling symbolic link (its target does not exist)");
            continue;
          } catch (FileSystemLoopException e) {
            scan.problems.put(relative, "is part of a symbolic link loop");
            continue;
          } catch (FileSystemException e) {
            scan.problems.put(relative, isLoop(e)
                ? "is part of a symbolic link loop"
                : "is a symbolic link that cannot be followed (" + reason(e) + ")");
            continue;
          }
          if (!real.startsWith(realRoot)) {
            scan.problems.put(relative, "is a symbolic link pointing outside the mount; refused");
            continue;
          }
          attrs = Files.readAttributes(real, BasicFileAttributes.class);
        } else {
          real = path;
          attrs = own;
        }
      } catch (NoSuchFileException e) {
        if (plainFiles) {
          markUnsettled(scan, relative, "vanished while the directory was read");
          continue;
        }
        throw e;
      }
      if (attrs.isDirectory()) {
        if (depth >= maxDepth) {
          scan.problems.put(relative, "is a directory nested deeper than maxDepth=" + maxDepth
              + "; its files were not read");
          continue;
        }
        Path realDir = real.toRealPath();
        if (!visiting.add(realDir)) {
          scan.problems.put(relative, "is part of a symbolic link loop");
          continue;
        }
        if (plainFiles) {
          scan.directories.add(realDir);
        }
        try {
          readDirectory(scan, realRoot, real, relative + "/", depth + 1, visiting, plainFiles,
              knownFiles);
        } finally {
          visiting.remove(realDir);
        }
      } else if (attrs.isRegularFile()) {
        readFile(scan, real, relative, attrs, plainFiles, knownFiles);
      } else {
        scan.problems.put(relative, "is not a regular file (a FIFO, socket or device); never opened");
      }
    }
  }

  private void readFile(Scan scan, Path real, String relative, BasicFileAttributes attrs,
      boolean plainFiles, Set<String> knownFiles) throws IOException {
    if (plainFiles) {
      if (!knownFiles.contains(relative) && endsWithTemporarySuffix(relative)) {
        markUnsettled(scan, relative, "is new and named like a writer's temporary file");
      }
    }
    if (attrs.size() > maxFileSize) {
      scan.problems.put(relative, "is " + attrs.size() + " bytes, over maxFileSize="
          + maxFileSize + " bytes; not read");
      return;
    }
    try (InputStream in = opener.open(real)) {
      byte[] content = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxFileSize + 1));
      if (content.length > maxFileSize) {
        scan.problems.put(relative, "grew over maxFileSize=" + maxFileSize + " bytes; not read");
        return;
      }
      scan.files.put(relative, content);
    } catch (AccessDeniedException e) {
      scan.problems.put(relative, "is not readable (permission denied); check the volume's "
          + "file permission and the pod's fsGroup / runAsUser");
    } catch (NoSuchFileException e) {
      if (plainFiles) {
        markUnsettled(scan, relative, "vanished while it was read");
      } else {
        throw e;
      }
    } catch (IOException e) {
      scan.problems.put(relative, "could not be read (" + reason(e) + ")");
    }
  }

  /** Re-reads every file's identity; a change means a writer was busy during the read. */
  private void checkIdentities(Scan scan, Path realRoot) {
    for (Map.Entry<String, List<Object>> entry : scan.identities.entrySet()) {
      if (!entry.getValue().equals(entryIdentity(realRoot.resolve(entry.getKey())))) {
        markUnsettled(scan, entry.getKey(), "changed while the mount was read");
        return;
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
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
      for (Path entry : stream) {
        Path fileName = entry.getFileName();
        if (fileName != null) {
          names.add(fileName.toString());
        }
      }
    }
    Collections.sort(names);
    Set<String> nameSet = new HashSet<>(names);
    for (String name : names) {
      if (name.startsWith("..") || isTemporaryName(name, nameSet)) {
        continue;
      }
      Path path = dir.resolve(name);
      List<Object> identity = entryIdentity(path);
      if (identity != null) {
        result.put(prefix + name, identity);
        continue;
      }
      // A directory: descend exactly where read() descends.
      Path realDir = path.toRealPath();
      if (depth < maxDepth && realDir.startsWith(realRoot) && visiting.add(realDir)) {
        collectIdentities(realRoot, path, prefix + name + "/", depth + 1, result, visiting);
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
      return List.of("unreadable");
    }
  }

  private static List<Object> identity(BasicFileAttributes attrs) {
    Object key = attrs.fileKey();
    return List.of(key == null ? "" : key, attrs.lastModifiedTime(), attrs.size());
  }

  private static void markUnsettled(Scan scan, String relative, String why) {
    if (!scan.unsettled) {
      scan.unsettled = true;
      scan.unsettledReason = "'" + Names.printable(relative) + "' " + why;
    }
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
}
