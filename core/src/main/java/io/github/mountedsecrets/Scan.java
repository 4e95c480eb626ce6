package io.github.mountedsecrets;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** What one read of the mount found. Maps are sorted by name. */
final class Scan {
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
