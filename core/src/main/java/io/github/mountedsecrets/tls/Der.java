package io.github.mountedsecrets.tls;

import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

/**
 * The little DER (X.690) that turning PKCS#1 and SEC1 keys into PKCS#8 takes: split an
 * element into its children, read an OID, write a tag-length-value. Not a general ASN.1
 * library; malformed input throws {@link IllegalArgumentException} with no content in the
 * message.
 */
final class Der {
  static final int INTEGER = 0x02;
  static final int OCTET_STRING = 0x04;
  static final int NULL = 0x05;
  static final int OID = 0x06;
  static final int SEQUENCE = 0x30;

  private Der() {}

  /** Returns the tag of an element. */
  static int tag(byte[] element) {
    require(element.length >= 2);
    return element[0] & 0xFF;
  }

  /** Returns the complete elements inside a constructed element. */
  static List<byte[]> children(byte[] element) {
    int[] header = header(element, 0);
    require(header[0] + header[1] == element.length);
    List<byte[]> children = new ArrayList<>();
    int at = header[0];
    while (at < element.length) {
      int[] child = header(element, at);
      int end = child[0] + child[1];
      require(end <= element.length);
      children.add(Arrays.copyOfRange(element, at, end));
      at = end;
    }
    return children;
  }

  /** Returns the content of an element without its tag and length. */
  static byte[] content(byte[] element) {
    int[] header = header(element, 0);
    require(header[0] + header[1] == element.length);
    return Arrays.copyOfRange(element, header[0], element.length);
  }

  /**
   * Checks that an element fills the array and that it and every constructed element inside it
   * have definite lengths that fit their parent. The JDK reads an indefinite (BER) length by a
   * conversion whose work grows with the square of the nesting, and certificates by recursion:
   * a key file of 100,000 nested indefinite lengths held the thread for seconds, a larger one
   * for minutes. This walk looks at each header once and keeps its own stack.
   */
  static void requireDefinite(byte[] element) {
    // The JDK also parses some primitive contents as DER of their own (a certificate's
    // extension values, its public key), where this walk does not go: bound what could be
    // nested indefinite lengths there by counting what looks like their headers anywhere.
    require(indefiniteLookalikes(element) <= MAX_INDEFINITE_LOOKALIKES);
    int[] top = header(element, 0);
    require(top[0] + top[1] == element.length);
    Deque<Integer> ends = new ArrayDeque<>();
    int end = element.length;
    int at = 0;
    while (true) {
      while (at == end && !ends.isEmpty()) {
        end = ends.pop();
      }
      if (at == element.length) {
        return;
      }
      require((element[at] & 0x1F) != 0x1F);
      int[] header = header(element, at);
      int next = header[0] + header[1];
      require(next <= end);
      if ((element[at] & 0x20) != 0) {
        ends.push(end);
        end = next;
        at = header[0];
      } else {
        at = next;
      }
    }
  }

  /**
   * The most byte pairs that read as a constructed tag with an indefinite length (any byte with
   * the constructed bit, then {@code 0x80}) a certificate or key may hold. DER has none; random
   * bytes (signatures, keys) make one in 512 pairs, a few in a real certificate. The JDK's work
   * on nested indefinite lengths grows with the square of their number, and at this bound it is
   * a millisecond.
   */
  static final int MAX_INDEFINITE_LOOKALIKES = 1_000;

  private static int indefiniteLookalikes(byte[] bytes) {
    int count = 0;
    for (int i = 0; i + 1 < bytes.length; i++) {
      if ((bytes[i] & 0x20) != 0 && bytes[i + 1] == (byte) 0x80) {
        count++;
      }
    }
    return count;
  }

  /**
   * Returns the first element of an array that may hold more after it, as OpenSSL's
   * {@code TRUSTED CERTIFICATE} form does (the certificate, then its trust settings).
   */
  static byte[] firstElement(byte[] bytes) {
    int[] header = header(bytes, 0);
    return Arrays.copyOfRange(bytes, 0, header[0] + header[1]);
  }

  /** Returns an OBJECT IDENTIFIER element in dotted form. */
  static String oid(byte[] element) {
    require(tag(element) == OID);
    byte[] content = content(element);
    require(content.length > 0);
    StringBuilder dotted = new StringBuilder();
    int first = content[0] & 0xFF;
    dotted.append(Math.min(first / 40, 2)).append('.').append(first - 40 * Math.min(first / 40, 2));
    long arc = 0;
    for (int i = 1; i < content.length; i++) {
      arc = (arc << 7) | (content[i] & 0x7F);
      require(arc >= 0 && arc < Long.MAX_VALUE >>> 7);
      if ((content[i] & 0x80) == 0) {
        dotted.append('.').append(arc);
        arc = 0;
      }
    }
    return dotted.toString();
  }

  /** Writes an OBJECT IDENTIFIER in dotted form. */
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
    return tlv(OID, out.toByteArray());
  }

  /** Writes one element. */
  static byte[] tlv(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
    out.write(tag);
    int length = content.length;
    if (length < 0x80) {
      out.write(length);
    } else {
      int bytes = length > 0xFFFFFF ? 4 : length > 0xFFFF ? 3 : length > 0xFF ? 2 : 1;
      out.write(0x80 | bytes);
      for (int i = bytes - 1; i >= 0; i--) {
        out.write((length >>> (8 * i)) & 0xFF);
      }
    }
    out.writeBytes(content);
    return out.toByteArray();
  }

  /** Writes a SEQUENCE of the given elements. */
  static byte[] sequence(byte[]... elements) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] element : elements) {
      out.writeBytes(element);
    }
    return tlv(SEQUENCE, out.toByteArray());
  }

  /** Returns {content offset, content length} of the element starting at {@code at}. */
  private static int[] header(byte[] der, int at) {
    require(der.length - at >= 2);
    int lengthByte = der[at + 1] & 0xFF;
    if (lengthByte < 0x80) {
      require(at + 2 + lengthByte <= der.length);
      return new int[] {at + 2, lengthByte};
    }
    int count = lengthByte & 0x7F;
    require(count >= 1 && count <= 4 && at + 2 + count <= der.length);
    long length = 0;
    for (int i = 0; i < count; i++) {
      length = (length << 8) | (der[at + 2 + i] & 0xFF);
    }
    require(at + 2 + count + length <= der.length);
    return new int[] {at + 2 + count, (int) length};
  }

  private static void require(boolean condition) {
    if (!condition) {
      throw new IllegalArgumentException("malformed DER");
    }
  }
}
