package io.github.mountedsecrets.tls;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.PBEParameterSpec;
import org.junit.jupiter.api.Test;

/** Encrypted keys that would hold the reading thread are refused before any key derivation. */
class PrivateKeyReaderTest {

  /**
   * An encrypted PKCS#8 key asking for 100 million PBKDF2 iterations: deriving its key takes
   * minutes, on the mount's event thread. It is refused at once, naming the count and the fix.
   * (The ciphertext is random: the count alone decides.) The bound only guards against a hang.
   */
  @Test
  void aKeyAskingForTooManyIterationsIsRefusedBeforeDerivation() throws Exception {
    SecureRandom random = new SecureRandom();
    byte[] salt = new byte[16];
    byte[] iv = new byte[16];
    byte[] ciphertext = new byte[1232];
    random.nextBytes(salt);
    random.nextBytes(iv);
    random.nextBytes(ciphertext);
    AlgorithmParameters parameters = AlgorithmParameters.getInstance("PBEWithHmacSHA256AndAES_256");
    parameters.init(new PBEParameterSpec(salt, 100_000_000, new IvParameterSpec(iv)));
    // RFC 5208 EncryptedPrivateKeyInfo with PBES2 (RFC 8018), written by hand: JDK 17's
    // EncryptedPrivateKeyInfo cannot name PBES2 parameters by their algorithm.
    byte[] der = Der.sequence(
        Der.sequence(Der.oid("1.2.840.113549.1.5.13"), parameters.getEncoded()),
        Der.tlv(Der.OCTET_STRING, ciphertext));
    String pem = "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
        + Base64.getMimeEncoder().encodeToString(der) + "\n-----END ENCRYPTED PRIVATE KEY-----\n";
    PemBlock block = PemBlock.parse(pem.getBytes(StandardCharsets.US_ASCII)).get(0);

    assertTimeoutPreemptively(Duration.ofSeconds(20), () ->
        assertThatThrownBy(() -> PrivateKeyReader.read(block, "password".toCharArray()))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("it is encrypted with 100000000 key-derivation iterations, more than the "
                + "5000000 allowed; encrypt it again with fewer (for example openssl pkcs8 "
                + "-topk8 -v2 aes-256-cbc -iter 600000)"));
  }
}
