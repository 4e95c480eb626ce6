package io.github.mountedsecrets;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The identities of a plain-file mount's files (file key, modification time, size), taken
 * without reading content: what the poll compares to decide whether to read the mount. The
 * same function serves the read and the poll, so that an unchanged mount compares equal.
 */
final class Identities {
  /** The identity of an entry that cannot be examined. */
  static final List<Object> UNREADABLE = List.of("unreadable");
  /** The name under which a mount past maxEntries is marked; no listed name starts so. */
  private static final String TOO_MANY = "\u0000more than maxEntries";

  private Identities() {}

  /** An entry's name as listed (bytes kept) and as text. */
  private record Entry(Path name, String decoded) {}

  /**
   * Returns the identity of every plain file of a mount, or null when the mount is absent or
   * uses the atomic writer.
   */
  static Map<String, List<Object>> of(Path root, int maxDepth, int maxEntries)
      throws IOException {
    if (!Files.isDirectory(root) || Files.isSymbolicLink(root.resolve(EntryNames.DATA_LINK))) {
      return null;
    }
    Map<String, List<Object>> result = new LinkedHashMap<>();
    Path realRoot = root.toRealPath();
    int[] left = {maxEntries};
    collect(realRoot, realRoot, "", 1, maxDepth, left, result, new HashSet<>(List.of(realRoot)));
    return result;
  }

  private static void collect(Path realRoot, Path dir, String prefix, int depth, int maxDepth,
      int[] left, Map<String, List<Object>> result, Set<Path> visiting) throws IOException {
    List<Entry> entries = new ArrayList<>();
    Set<String> nameSet = new HashSet<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
      for (Path entry : stream) {
        if (--left[0] < 0) {
          // Past maxEntries: the read refuses such a mount; this identity differs from any
          // the read recorded, so the poll reads it and reports why.
          result.put(TOO_MANY, UNREADABLE);
          return;
        }
        Path fileName = entry.getFileName();
        String decoded = fileName == null ? null : EntryNames.decodeName(fileName);
        if (decoded != null) {
          entries.add(new Entry(fileName, decoded));
          nameSet.add(decoded);
        }
      }
    }
    entries.sort(Comparator.comparing(Entry::decoded));
    for (Entry entry : entries) {
      String name = entry.decoded();
      if (name.startsWith("..") || EntryNames.isTemporaryName(name, nameSet)) {
        continue;
      }
      Path path = dir.resolve(entry.name());
      List<Object> identity = entryIdentity(path);
      if (identity != null) {
        result.put(prefix + name, identity);
        continue;
      }
      // A directory: descend exactly where the read descends.
      Path realDir;
      try {
        realDir = path.toRealPath();
      } catch (IOException e) {
        continue;
      }
      if (depth < maxDepth && realDir.startsWith(realRoot) && visiting.add(realDir)) {
        try {
          collect(realRoot, path, prefix + name + "/", depth + 1, maxDepth, left, result,
              visiting);
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
   * modification time, size, following links), {@link #UNREADABLE} for an entry that cannot
   * be examined, or null for a directory.
   */
  static List<Object> entryIdentity(Path path) {
    try {
      BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class);
      if (attrs.isDirectory()) {
        return null;
      }
      Object key = attrs.fileKey();
      return List.of(key == null ? "" : key, attrs.lastModifiedTime(), attrs.size());
    } catch (IOException e) {
      return UNREADABLE;
    }
  }
}
