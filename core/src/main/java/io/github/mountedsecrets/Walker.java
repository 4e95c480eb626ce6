package io.github.mountedsecrets;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Walks the directories of a mount through their handles ({@link Dir}) and reads their
 * entries into a {@link Scan}: the containment, bounded-open and per-entry
 * problem rules of {@link MountReader}, applied entry by entry.
 */
final class Walker {
  private final ReadLimits limits;
  private final OpenCheck openCheck;
  private volatile Path opening;
  // System.nanoTime() of the last entry the walk began to open: its progress, for the deadline.
  private volatile long lastOpenNanos = System.nanoTime();

  Walker(ReadLimits limits, OpenCheck openCheck) {
    this.limits = limits;
    this.openCheck = openCheck;
  }

  /**
   * A writer's temporary file ({@code <name><digits>} beside {@code <name>}) modified less than
   * this long ago is a file being written: the writer has not renamed it over its final name
   * yet, so the rotation is under way however long the writer stalls there. The read is
   * unsettled (read again after the quiet period, {@link Reloader#MAX_UNSETTLED_READS} times at
   * most). An older one is a leftover of a writer that died, and is only skipped.
   */
  static final long WRITER_TEMP_FILE_AGE_MILLIS = 10_000;

  private static final java.util.regex.Pattern GENERATION =
      java.util.regex.Pattern.compile("\\.\\.\\d{4}_\\d{2}_\\d{2}_\\d{2}_\\d{2}_\\d{2}\\.\\d{1,10}");

  /** Whether a name is one the atomic writer itself creates: a generation or ..data_tmp. */
  static boolean isAtomicWriterEntry(String name) {
    return name.equals("..data_tmp") || GENERATION.matcher(name).matches();
  }

  /** Returns the entry being opened right now, or null. */
  Path opening() {
    return opening;
  }

  /** Marks the start and end of an open the walker does not make itself. */
  void opening(Path path) {
    if (path != null) {
      lastOpenNanos = System.nanoTime();
    }
    opening = path;
  }

  /**
   * Returns the {@link System#nanoTime()} at which the walk last began to open an entry: a read
   * that keeps opening entries is making progress, however large the mount.
   */
  long lastOpenNanos() {
    return lastOpenNanos;
  }

  /** State shared by one walk through the mount. */
  static final class Walk {
    final Scan scan;
    final Path realRoot;
    final Dir top;
    final Set<String> knownFiles;
    boolean plainFiles = true;
    String atomicRemnant;
    /** Entries listed and bytes of files read so far, against maxEntries and maxTotalSize. */
    int entries;
    long bytes;

    Walk(Scan scan, Path realRoot, Dir top, Set<String> knownFiles) {
      this.scan = scan;
      this.realRoot = realRoot;
      this.top = top;
      this.knownFiles = knownFiles;
    }
  }

  void readDirectory(Walk walk, Dir dir, String prefix, int depth, Set<Object> visiting)
      throws IOException {
    Scan scan = walk.scan;
    int room = limits.maxEntries() - walk.entries;
    List<Path> names = dir.list(room);
    if (names.size() > room) {
      throw limits.tooManyEntries();
    }
    walk.entries += names.size();
    List<Entry> entries = new ArrayList<>(names.size());
    Set<String> nameSet = new HashSet<>();
    for (Path name : names) {
      String decoded = EntryNames.decodeName(name);
      if (decoded == null) {
        scan.problems.put(prefix + EntryNames.escapedName(name), "has a name that is not valid UTF-8; "
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
        if (walk.plainFiles && depth == 1 && isAtomicWriterEntry(decoded)) {
          walk.atomicRemnant = decoded;
        }
        continue;
      }
      String relative = prefix + decoded;
      if (walk.plainFiles && EntryNames.isTemporaryName(decoded, nameSet)) {
        if (isBeingWritten(dir, entry.name)) {
          markUnsettled(scan, relative, "is a writer's temporary file, written moments ago");
        }
        continue;
      }
      if (walk.plainFiles) {
        Path listed = dir.path(entry.name);
        List<Object> identity = Identities.entryIdentity(listed);
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
        scan.problems.put(relative, "could not be examined (" + IoReasons.reason(e) + ")");
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
        if (target.equals(EntryNames.DATA_LINK) || target.startsWith(EntryNames.DATA_LINK + "/")) {
          walk.atomicRemnant = EntryNames.decodeName(name);
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
      scan.problems.put(relative, IoReasons.isLoop(e)
          ? "is part of a symbolic link loop"
          : "is a symbolic link that cannot be followed (" + IoReasons.reason(e) + ")");
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
      if (depth >= limits.maxDepth()) {
        scan.problems.put(relative, "is a directory nested deeper than maxDepth="
            + limits.maxDepth() + "; its files were not read");
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
        if (IoReasons.isLoop(e) && walk.plainFiles) {
          markUnsettled(scan, relative, "was replaced by a symbolic link while it was read");
        } else {
          unreadableDirectory(walk, relative, "is a directory that could not be read ("
              + IoReasons.reason(e) + "); its files were skipped");
        }
      } finally {
        visiting.remove(key);
      }
    } else if (attrs.isRegularFile()) {
      readFile(walk, parent, name, attrs, relative);
    } else {
      scan.problems.put(relative, "is not a regular file (" + IoReasons.kind(attrs) + "); never opened");
    }
  }

  /** Opens a directory entry, saying which while the open is under way. */
  Dir openDir(Dir parent, Path name, BasicFileAttributes attrs) throws IOException {
    opening(parent.path(name));
    try {
      return parent.openDir(name, attrs);
    } finally {
      opening = null;
    }
  }

  /**
   * Whether a writer's temporary file is young (or already gone: renamed during this read).
   * Its time is compared with the wall clock both ways, so that a file dated in the future
   * does not hold up every read. Writers create regular files: a directory or a link with
   * such a name is only skipped.
   */
  private static boolean isBeingWritten(Dir dir, Path name) {
    BasicFileAttributes attrs;
    try {
      attrs = dir.lstatOrNull(name);
    } catch (IOException e) {
      return false; // Skipped all the same; it is not a key.
    }
    if (attrs == null) {
      return true;
    }
    if (!attrs.isRegularFile()) {
      return false;
    }
    long age = System.currentTimeMillis() - attrs.lastModifiedTime().toMillis();
    return Math.abs(age) < WRITER_TEMP_FILE_AGE_MILLIS;
  }

  private static void unreadableDirectory(Walk walk, String relative, String reason) {
    walk.scan.problems.put(relative, reason);
    if (walk.plainFiles) {
      walk.scan.identities.put(relative + "/", Identities.UNREADABLE);
    }
  }

  private void readFile(Walk walk, Dir parent, Path name, BasicFileAttributes attrs,
      String relative) throws IOException {
    Scan scan = walk.scan;
    if (walk.plainFiles && !walk.knownFiles.contains(relative)
        && EntryNames.endsWithTemporarySuffix(relative)) {
      markUnsettled(scan, relative, "is new and named like a writer's temporary file");
    }
    if (attrs.size() > limits.maxFileSize()) {
      scan.problems.put(relative, "is " + attrs.size() + " bytes, over maxFileSize="
          + limits.maxFileSize() + " bytes; not read");
      return;
    }
    if (attrs.size() > limits.maxTotalSize() - walk.bytes) {
      throw limits.tooManyBytes();
    }
    byte[] content;
    opening(parent.path(name));
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
        content = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limits.maxFileSize() + 1));
        if (content.length > limits.maxFileSize()) {
          scan.problems.put(relative, "grew over maxFileSize=" + limits.maxFileSize()
              + " bytes; not read");
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
      if (content.length > limits.maxTotalSize() - walk.bytes) {
        // The file grew after its size was checked: what was read counts, not what was listed.
        throw limits.tooManyBytes();
      }
      scan.files.put(relative, content);
      walk.bytes += content.length;
    } catch (ReadLimits.ExceededException e) {
      throw e; // The read fails as a whole, not this file alone.
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
      if (IoReasons.isLoop(e)) {
        if (walk.plainFiles) {
          markUnsettled(scan, relative, "was replaced by a symbolic link while it was read");
        } else {
          scan.problems.put(relative, "was replaced by a symbolic link while it was read; "
              + "not read");
        }
      } else {
        scan.problems.put(relative, "could not be read (" + IoReasons.reason(e) + ")");
      }
    } catch (IOException e) {
      scan.problems.put(relative, "could not be read (" + IoReasons.reason(e) + ")");
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
  static void checkIdentities(Scan scan) {
    for (Map.Entry<String, Path> entry : scan.identityPaths.entrySet()) {
      if (!scan.identities.get(entry.getKey()).equals(Identities.entryIdentity(entry.getValue()))) {
        markUnsettled(scan, entry.getKey(), "changed while the mount was read");
        scan.changing.add(entry.getKey());
      }
    }
  }

  /** What makes a directory unique while it is walked: its file key, else its path. */
  static Object identityKey(BasicFileAttributes attrs, Path path) {
    Object key = attrs.fileKey();
    return key != null ? key : path;
  }

  private static void markUnsettled(Scan scan, String relative, String why) {
    if (!scan.unsettled) {
      scan.unsettled = true;
      scan.unsettledReason = "'" + Names.printable(relative) + "' " + why;
    }
  }

}
