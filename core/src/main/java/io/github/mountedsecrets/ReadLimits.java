package io.github.mountedsecrets;

import java.io.IOException;

/**
 * What one read of the mount may take: the largest file, the deepest nesting, the most
 * entries and the most bytes in all. The first two leave an entry out and report it; the last
 * two fail the read as a whole, since a mount past them is not the mount that was meant.
 */
record ReadLimits(long maxFileSize, int maxDepth, int maxEntries, long maxTotalSize) {

  /** A read went past {@code maxEntries} or {@code maxTotalSize}; its message says which. */
  static final class ExceededException extends IOException {
    private static final long serialVersionUID = 1L;

    ExceededException(String message) {
      super(message, null);
    }
  }

  ExceededException tooManyEntries() {
    return new ExceededException("the mount holds more than maxEntries=" + maxEntries
        + " entries (files, directories and links) and was not read. Point the directory at the"
        + " secrets mount itself, or raise maxEntries");
  }

  ExceededException tooManyBytes() {
    return new ExceededException("the mount holds more than maxTotalSize=" + maxTotalSize
        + " bytes of files and was not read. Point the directory at the secrets mount itself,"
        + " or raise maxTotalSize");
  }
}
