package io.github.mountedsecrets;

import java.time.Instant;
import java.util.Arrays;

/**
 * One key's value inside a snapshot: the bytes, the decoded text (null when the bytes are
 * not valid UTF-8), the version, when that version was read, and the file it came from.
 * Never printed.
 */
final class SecretValue {
  /** Where a value came from. */
  enum Origin {
    /** The content of a file. */
    FILE,
    /** A field of a JSON object file. */
    JSON_FIELD
  }

  final byte[] bytes;
  final String text;
  final long version;
  /** When the snapshot that gave this value its version was read; null until versioned. */
  final Instant changedAt;
  final String file;
  final Origin origin;
  /**
   * Whether this is a last good value kept in place of what the file holds now (an emptied,
   * unreadable or malformed file of the plain-file layout).
   */
  final boolean substituted;

  SecretValue(byte[] bytes, String text, long version, String file, Origin origin) {
    this(bytes, text, version, null, file, origin, false);
  }

  private SecretValue(byte[] bytes, String text, long version, Instant changedAt, String file,
      Origin origin, boolean substituted) {
    this.bytes = bytes;
    this.text = text;
    this.version = version;
    this.changedAt = changedAt;
    this.file = file;
    this.origin = origin;
    this.substituted = substituted;
  }

  /** Returns this value marked as kept in place of the file's current content. */
  SecretValue asSubstitute() {
    return substituted ? this : new SecretValue(bytes, text, version, changedAt, file, origin, true);
  }

  boolean sameContent(SecretValue other) {
    return other != null && Arrays.equals(bytes, other.bytes)
        && (text == null ? other.text == null : text.equals(other.text));
  }

  SecretValue withVersion(long newVersion, Instant versionedAt) {
    return new SecretValue(bytes, text, newVersion, versionedAt, file, origin, substituted);
  }

  @Override
  public String toString() {
    return "SecretValue[file=" + Names.printable(file) + ", version=" + version + ", <masked>]";
  }
}
