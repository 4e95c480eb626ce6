package io.github.mountedsecrets;

import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Locale;

/** Text-to-type conversions for typed access. Messages never quote the value. */
final class Conversions {
  private Conversions() {}

  static int toInt(String key, Path mount, String text) {
    try {
      return Integer.parseInt(text.strip());
    } catch (NumberFormatException e) {
      throw failure(key, mount, "an int (a whole number from -2147483648 to 2147483647)");
    }
  }

  static long toLong(String key, Path mount, String text) {
    try {
      return Long.parseLong(text.strip());
    } catch (NumberFormatException e) {
      throw failure(key, mount, "a long (a whole number)");
    }
  }

  static boolean toBoolean(String key, Path mount, String text) {
    switch (text.strip().toLowerCase(Locale.ROOT)) {
      case "true":
      case "yes":
      case "on":
      case "1":
        return true;
      case "false":
      case "no":
      case "off":
      case "0":
        return false;
      default:
        throw failure(key, mount, "a boolean (true/false, yes/no, on/off or 1/0)");
    }
  }

  /**
   * Parses {@code PT30S}, or a number with a unit: {@code 500ms}, {@code 30s}, {@code 5m},
   * {@code 1h}, {@code 2d}, {@code 250us}, {@code 10ns}; a bare number is milliseconds.
   */
  static Duration toDuration(String key, Path mount, String text) {
    String value = text.strip();
    try {
      if (value.length() > 1 && (value.charAt(0) == 'P' || value.charAt(0) == 'p'
          || value.startsWith("-P") || value.startsWith("-p"))) {
        return Duration.parse(value);
      }
      int unitStart = 0;
      while (unitStart < value.length()
          && (Character.isDigit(value.charAt(unitStart)) || (unitStart == 0 && value.charAt(0) == '-'))) {
        unitStart++;
      }
      long amount = Long.parseLong(value.substring(0, unitStart));
      switch (value.substring(unitStart).strip().toLowerCase(Locale.ROOT)) {
        case "":
        case "ms":
          return Duration.ofMillis(amount);
        case "ns":
          return Duration.ofNanos(amount);
        case "us":
          return Duration.ofNanos(Math.multiplyExact(amount, 1000L));
        case "s":
          return Duration.ofSeconds(amount);
        case "m":
          return Duration.ofMinutes(amount);
        case "h":
          return Duration.ofHours(amount);
        case "d":
          return Duration.ofDays(amount);
        default:
          throw new NumberFormatException();
      }
    } catch (NumberFormatException | DateTimeParseException | ArithmeticException e) {
      throw failure(key, mount, "a duration (ISO-8601 such as PT30S, or a number with a unit: "
          + "ns, us, ms, s, m, h, d; a bare number is milliseconds)");
    }
  }

  private static final java.util.regex.Pattern BASE64 =
      java.util.regex.Pattern.compile("[A-Za-z0-9+/_-]*={0,2}");

  static byte[] fromBase64(String key, Path mount, String text) {
    // Line breaks are allowed (PEM-style wrapping) and surrounding blanks ignored; nothing
    // else outside the alphabet is, so arbitrary text is never silently decoded.
    String value = text.strip().replaceAll("[\\r\\n]+", "");
    if (!BASE64.matcher(value).matches()) {
      throw failure(key, mount, "base64 (standard or URL-safe alphabet)");
    }
    try {
      return Base64.getDecoder().decode(value.replace('-', '+').replace('_', '/'));
    } catch (IllegalArgumentException e) {
      throw failure(key, mount, "base64 (standard or URL-safe alphabet)");
    }
  }

  private static SecretFormatException failure(String key, Path mount, String expected) {
    return new SecretFormatException(key, "Secret '" + Names.printable(key) + "' in " + mount
        + " cannot be read as " + expected + "; the value is not shown");
  }
}
