package io.github.mountedsecrets.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The PEM reader on good, broken and hostile texts; no message quotes a block's content. */
class PemBlockTest {
  private static final String SECRET = "c2VjcmV0LWtleS1ieXRlcw=="; // "secret-key-bytes"

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.ISO_8859_1);
  }

  @Test
  void readsBlocksInOrderSkippingTextBetweenThemAndAcceptingCrLf() {
    String pem = "Bag Attributes\r\n    friendlyName: web\r\n"
        + "-----BEGIN CERTIFICATE-----\r\nAQID\r\n-----END CERTIFICATE-----\r\n"
        + "subject=CN=ca\n"
        + "-----BEGIN PRIVATE KEY-----\n" + SECRET + "\n-----END PRIVATE KEY-----\n";
    List<PemBlock> blocks = PemBlock.parse(bytes(pem));
    assertThat(blocks).extracting(b -> b.label).containsExactly("CERTIFICATE", "PRIVATE KEY");
    assertThat(blocks.get(0).der).containsExactly(1, 2, 3);
    assertThat(blocks.get(1).der).isEqualTo(Base64.getDecoder().decode(SECRET));
    assertThat(blocks.get(1).legacyEncrypted).isFalse();
  }

  @Test
  void recognisesLegacyEncryptionHeaders() {
    String pem = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"
        + "DEK-Info: AES-256-CBC,00\n\n" + SECRET + "\n-----END RSA PRIVATE KEY-----\n";
    PemBlock block = PemBlock.parse(bytes(pem)).get(0);
    assertThat(block.legacyEncrypted).isTrue();
    assertThat(block.der).isEqualTo(Base64.getDecoder().decode(SECRET));
  }

  @Test
  void refusesBrokenBlocksWithoutQuotingTheirContent() {
    assertThatThrownBy(() -> PemBlock.parse(bytes("-----BEGIN PRIVATE KEY-----\n" + SECRET)))
        .hasMessage("a PEM block is not terminated (the file may be half-written)");
    assertThatThrownBy(() -> PemBlock.parse(bytes("-----BEGIN PRIVATE KEY-----\n" + SECRET
        + "\n-----END CERTIFICATE-----\n")))
        .hasMessage("a PEM block begins with 'PRIVATE KEY' but ends with 'CERTIFICATE'");
    // A lone last character is a base64 unit that cannot be complete.
    assertThatThrownBy(() -> PemBlock.parse(bytes("-----BEGIN PRIVATE KEY-----\n"
        + "QUJDA\n-----END PRIVATE KEY-----\n")))
        .hasMessage("the PEM block 'PRIVATE KEY' is not valid base64");
    assertThatThrownBy(() -> PemBlock.parse(bytes("-----BEGIN CERTIFICATE-----\n\n"
        + "-----END CERTIFICATE-----\n"))).hasMessage("the PEM block 'CERTIFICATE' is empty");
    assertThatThrownBy(() -> PemBlock.parse(bytes("-----BEGIN " + SECRET + "\n")))
        .message().doesNotContain(SECRET);
    assertThat(PemBlock.parse(bytes("no PEM here"))).isEmpty();
  }

  /**
   * A file of 1 MiB (the default maxFileSize) full of unterminated BEGIN lines: a parser that
   * searches for each block's end from every BEGIN takes minutes on it (about 20 s for 320 KB
   * with the regular expression this reader used before), holding the mount's event thread. The
   * bound below only guards against such a hang; it is not a performance target.
   */
  @Test
  void aTextFullOfUnterminatedBlocksIsRefusedWithoutHanging() {
    StringBuilder hostile = new StringBuilder();
    while (hostile.length() < 1024 * 1024 - 32) {
      hostile.append("-----BEGIN A-----xx\n");
    }
    byte[] text = bytes(hostile.toString());
    assertTimeoutPreemptively(Duration.ofSeconds(20), () ->
        assertThatThrownBy(() -> PemBlock.parse(text))
            .hasMessageContaining("not terminated"));

    StringBuilder ends = new StringBuilder("-----BEGIN A-----xx\n");
    while (ends.length() < 1024 * 1024 - 32) {
      ends.append("-----END ");
    }
    byte[] noLabel = bytes(ends.toString());
    assertTimeoutPreemptively(Duration.ofSeconds(20), () ->
        assertThatThrownBy(() -> PemBlock.parse(noLabel))
            .isInstanceOf(IllegalArgumentException.class));
  }
}
