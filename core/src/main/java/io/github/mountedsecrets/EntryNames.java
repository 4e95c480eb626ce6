package io.github.mountedsecrets;

import java.nio.file.Path;
import java.util.Set;

/**
 * What the names of a mount's entries mean: their text (from their bytes, where the
 * platform's encoding cannot represent them) and whether a name is a writer's temporary file.
 */
final class EntryNames {
  /** The atomic writer's link to the current generation. */
  static final String DATA_LINK = "..data";
  private static final int MIN_TEMP_SUFFIX_DIGITS = 6;
  private static final int MAX_TEMP_SUFFIX_DIGITS = 10;
  private static final boolean UTF8_NAMES = isUtf8(System.getProperty("sun.jnu.encoding"));

  private EntryNames() {}

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

  static boolean endsWithTemporarySuffix(String relative) {
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
}
