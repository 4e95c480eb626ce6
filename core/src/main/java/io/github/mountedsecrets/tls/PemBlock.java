package io.github.mountedsecrets.tls;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One {@code -----BEGIN label----- ... -----END label-----} block of a PEM text (RFC 7468),
 * decoded. Text between blocks (such as OpenSSL's {@code Bag Attributes}) is skipped.
 * {@link #toString()} names the label only.
 */
final class PemBlock {
  private static final String BEGIN = "-----BEGIN ";
  private static final String END = "-----END ";
  private static final String DASHES = "-----";
  private static final Pattern LABEL = Pattern.compile("[A-Z0-9 ]+");
  private static final Pattern HEADER = Pattern.compile("^[A-Za-z-]+:.*$", Pattern.MULTILINE);

  final String label;
  final byte[] der;
  /** Whether the block has RFC 1421 headers ({@code Proc-Type: 4,ENCRYPTED}). */
  final boolean legacyEncrypted;

  private PemBlock(String label, byte[] der, boolean legacyEncrypted) {
    this.label = label;
    this.der = der;
    this.legacyEncrypted = legacyEncrypted;
  }

  /**
   * Returns every block of a PEM text, in order.
   *
   * @throws IllegalArgumentException naming the label when a block is unterminated,
   *     mislabelled or not base64; never quoting the content
   */
  static List<PemBlock> parse(byte[] text) {
    // One pass with indexOf, each character looked at a bounded number of times: a text full of
    // unterminated BEGIN lines (garbage, or a hostile file) is refused in time linear in its size.
    String pem = new String(text, StandardCharsets.ISO_8859_1);
    List<PemBlock> blocks = new ArrayList<>();
    int from = 0;
    while (true) {
      int begin = pem.indexOf(BEGIN, from);
      if (begin < 0) {
        return blocks;
      }
      int labelStart = begin + BEGIN.length();
      int labelEnd = pem.indexOf(DASHES, labelStart);
      String label = labelEnd < 0 ? null : pem.substring(labelStart, labelEnd);
      if (label == null || !LABEL.matcher(label).matches()) {
        throw notTerminated();
      }
      int bodyStart = labelEnd + DASHES.length();
      int end = pem.indexOf(END, bodyStart);
      int endLabelStart = end + END.length();
      int endLabelEnd = end < 0 ? -1 : pem.indexOf(DASHES, endLabelStart);
      String endLabel = endLabelEnd < 0 ? null : pem.substring(endLabelStart, endLabelEnd);
      if (endLabel == null || !LABEL.matcher(endLabel).matches()) {
        throw notTerminated();
      }
      if (!label.equals(endLabel)) {
        throw new IllegalArgumentException("a PEM block begins with '" + label
            + "' but ends with '" + endLabel + "'");
      }
      blocks.add(decode(label, pem.substring(bodyStart, end)));
      from = endLabelEnd + DASHES.length();
    }
  }

  private static PemBlock decode(String label, String body) {
    boolean legacy = body.contains("Proc-Type:") && body.contains("ENCRYPTED");
    String base64 = HEADER.matcher(body).replaceAll("");
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(base64.replaceAll("\\s", ""));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the PEM block '" + label + "' is not valid base64");
    }
    if (der.length == 0) {
      throw new IllegalArgumentException("the PEM block '" + label + "' is empty");
    }
    return new PemBlock(label, der, legacy);
  }

  private static IllegalArgumentException notTerminated() {
    return new IllegalArgumentException("a PEM block is not terminated (the file may be "
        + "half-written)");
  }

  @Override
  public String toString() {
    return "PemBlock[" + label + "]";
  }
}
