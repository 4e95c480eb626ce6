package io.github.mountedsecrets.test;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * The few DER encodings a test certificate needs (X.690): tag, length, content. Only what
 * {@link CertificateAuthority} writes; not a general ASN.1 library.
 */
final class DerWriter {
  private static final DateTimeFormatter UTC_TIME = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'");
  private static final DateTimeFormatter GENERALIZED_TIME =
      DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'");

  private DerWriter() {}

  static byte[] tlv(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
    out.write(tag);
    int length = content.length;
    if (length < 0x80) {
      out.write(length);
    } else {
      byte[] bytes = BigInteger.valueOf(length).toByteArray();
      int skip = bytes[0] == 0 ? 1 : 0;
      out.write(0x80 | (bytes.length - skip));
      out.write(bytes, skip, bytes.length - skip);
    }
    out.writeBytes(content);
    return out.toByteArray();
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  static byte[] sequence(byte[]... items) {
    return tlv(0x30, concat(items));
  }

  static byte[] set(byte[]... items) {
    return tlv(0x31, concat(items));
  }

  static byte[] integer(BigInteger value) {
    return tlv(0x02, value.toByteArray());
  }

  static byte[] bool(boolean value) {
    return tlv(0x01, new byte[] {(byte) (value ? 0xFF : 0x00)});
  }

  static byte[] nul() {
    return new byte[] {0x05, 0x00};
  }

  static byte[] octetString(byte[] content) {
    return tlv(0x04, content);
  }

  /** A BIT STRING whose last {@code unusedBits} bits are padding. */
  static byte[] bitString(byte[] content, int unusedBits) {
    return tlv(0x03, concat(new byte[] {(byte) unusedBits}, content));
  }

  static byte[] utf8String(String text) {
    return tlv(0x0C, text.getBytes(StandardCharsets.UTF_8));
  }

  /** A context-specific constructed tag {@code [n]}, for EXPLICIT tagging. */
  static byte[] explicit(int n, byte[] content) {
    return tlv(0xA0 | n, content);
  }

  /** UTCTime before 2050, GeneralizedTime from then on (RFC 5280 section 4.1.2.5). */
  static byte[] time(Instant instant) {
    ZonedDateTime utc = instant.atZone(ZoneOffset.UTC);
    if (utc.getYear() >= 1950 && utc.getYear() < 2050) {
      return tlv(0x17, UTC_TIME.format(utc).getBytes(StandardCharsets.US_ASCII));
    }
    return tlv(0x18, GENERALIZED_TIME.format(utc).getBytes(StandardCharsets.US_ASCII));
  }

  static byte[] oid(String dotted) {
    String[] arcs = dotted.split("\\.");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(Integer.parseInt(arcs[0]) * 40 + Integer.parseInt(arcs[1]));
    for (int i = 2; i < arcs.length; i++) {
      long arc = Long.parseLong(arcs[i]);
      int groups = 1;
      for (long rest = arc >>> 7; rest != 0; rest >>>= 7) {
        groups++;
      }
      for (int g = groups - 1; g >= 0; g--) {
        int bits = (int) ((arc >>> (7 * g)) & 0x7F);
        out.write(g == 0 ? bits : bits | 0x80);
      }
    }
    return tlv(0x06, out.toByteArray());
  }

  /** Returns the complete elements inside a constructed element (its content, split). */
  static java.util.List<byte[]> children(byte[] element) {
    int[] header = header(element, 0);
    java.util.List<byte[]> children = new java.util.ArrayList<>();
    int at = header[0];
    int end = header[0] + header[1];
    while (at < end) {
      int[] child = header(element, at);
      int total = child[0] - at + child[1];
      children.add(java.util.Arrays.copyOfRange(element, at, at + total));
      at += total;
    }
    return children;
  }

  /** Returns the content of an element without its tag and length. */
  static byte[] content(byte[] element) {
    int[] header = header(element, 0);
    return java.util.Arrays.copyOfRange(element, header[0], header[0] + header[1]);
  }

  /** Returns {content offset, content length} of the element starting at {@code at}. */
  private static int[] header(byte[] der, int at) {
    int lengthByte = der[at + 1] & 0xFF;
    if (lengthByte < 0x80) {
      return new int[] {at + 2, lengthByte};
    }
    int count = lengthByte & 0x7F;
    int length = 0;
    for (int i = 0; i < count; i++) {
      length = (length << 8) | (der[at + 2 + i] & 0xFF);
    }
    return new int[] {at + 2 + count, length};
  }
}
