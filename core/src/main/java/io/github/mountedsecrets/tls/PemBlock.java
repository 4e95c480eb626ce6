package io.github.mountedsecrets.tls;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code -----BEGIN label----- ... -----END label-----} block of a PEM text (RFC 7468),
 * decoded. Text between blocks (such as OpenSSL's {@code Bag Attributes}) is skipped.
 * {@link #toString()} names the label only.
 */
final class PemBlock {
  private static final Pattern BLOCK = Pattern.compile(
      "-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END ([A-Z0-9 ]+)-----", Pattern.DOTALL);
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
    String pem = new String(text, StandardCharsets.ISO_8859_1);
    List<PemBlock> blocks = new ArrayList<>();
    Matcher matcher = BLOCK.matcher(pem);
    int end = 0;
    while (matcher.find()) {
      String label = matcher.group(1);
      if (!label.equals(matcher.group(3))) {
        throw new IllegalArgumentException("a PEM block begins with '" + label
            + "' but ends with '" + matcher.group(3) + "'");
      }
      String body = matcher.group(2);
      boolean legacy = body.contains("Proc-Type:") && body.contains("ENCRYPTED");
      body = HEADER.matcher(body).replaceAll("");
      byte[] der;
      try {
        der = Base64.getMimeDecoder().decode(body.replaceAll("\\s", ""));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("the PEM block '" + label + "' is not valid base64");
      }
      if (der.length == 0) {
        throw new IllegalArgumentException("the PEM block '" + label + "' is empty");
      }
      blocks.add(new PemBlock(label, der, legacy));
      end = matcher.end();
    }
    if (pem.indexOf("-----BEGIN ", end) >= 0) {
      throw new IllegalArgumentException("a PEM block is not terminated (the file may be "
          + "half-written)");
    }
    return blocks;
  }

  @Override
  public String toString() {
    return "PemBlock[" + label + "]";
  }
}
