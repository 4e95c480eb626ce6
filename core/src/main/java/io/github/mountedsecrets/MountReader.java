package io.github.mountedsecrets;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
  static final String DATA_LINK = EntryNames.DATA_LINK;
  private static final int MAX_GENERATION_ATTEMPTS = 20;
  private static final int MAX_LAYOUT_ATTEMPTS = 3;


  private final Path root;
  private final ReadLimits limits;
  private final Walker walker;

  MountReader(Path root, ReadLimits limits, OpenCheck openCheck) {
    this.root = root;
    this.limits = limits;
    this.walker = new Walker(limits, openCheck);
  }

  /** Returns the entry a read is opening right now, or null. */
  Path opening() {
    return walker.opening();
  }

  /** Returns the {@link System#nanoTime()} at which a read last began to open an entry. */
  long lastOpenNanos() {
    return walker.lastOpenNanos();
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
    walker.opening(realRoot);
    Dir opened;
    try {
      opened = Dir.open(realRoot, rootAttrs.fileKey());
    } finally {
      walker.opening(null);
    }
    try (Dir top = opened) {
      Walker.Walk walk = new Walker.Walk(scan, realRoot, top, knownFiles);
      BasicFileAttributes data = top.lstatOrNull(top.name(DATA_LINK));
      if (data != null) {
        walk.plainFiles = false;
        readGeneration(walk);
      } else {
        scan.layout = MountLayout.FILE_BY_FILE;
        Set<Object> visiting = new HashSet<>();
        visiting.add(Walker.identityKey(rootAttrs, realRoot));
        walker.readDirectory(walk, top, "", 1, visiting);
        if (walk.atomicRemnant != null) {
          scan.absentReason = "is incomplete: '" + Names.printable(walk.atomicRemnant)
              + "' of the atomic writer is there but " + DATA_LINK + " is not (the mount is being "
              + "taken apart, or its first write has not finished)";
          return scan;
        }
        if (!scan.unsettled) {
          Walker.checkIdentities(scan);
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

  /** The mount changed from one layout to the other while it was read; read it again. */
  private static final class LayoutChangedException extends IOException {
    private static final long serialVersionUID = 1L;

    LayoutChangedException() {
      super("layout changed", null);
    }
  }

  private void readGeneration(Walker.Walk walk) throws IOException {
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
            + "', which is not a directory (" + IoReasons.kind(generation) + "); refused");
      }
      Scan attemptScan = new Scan();
      attemptScan.layout = MountLayout.ATOMIC_WRITER;
      Walker.Walk attemptWalk = new Walker.Walk(attemptScan, walk.realRoot, walk.top, Set.of());
      attemptWalk.plainFiles = false;
      Set<Object> visiting = new HashSet<>();
      visiting.add(Walker.identityKey(generation, walk.realRoot.resolve(target)));
      try (Dir dir = walker.openDir(walk.top, target, generation)) {
        walker.readDirectory(attemptWalk, dir, "", 1, visiting);
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
      throw new IOException(DATA_LINK + " is not a symbolic link (" + IoReasons.reason(e) + "); refused");
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

  /**
   * Returns the identity of every plain file without reading content, for a cheap poll.
   * Returns null when the mount is absent or uses the atomic writer.
   */
  Map<String, List<Object>> identities() throws IOException {
    return Identities.of(root, limits.maxDepth(), limits.maxEntries());
  }








}
