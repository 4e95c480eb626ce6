package io.github.mountedsecrets.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.SecretsSnapshot;
import io.github.mountedsecrets.test.Await;
import io.github.mountedsecrets.test.CertificateAuthority;
import io.github.mountedsecrets.test.CertificateAuthority.KeyType;
import io.github.mountedsecrets.test.IssuedCertificate;
import io.github.mountedsecrets.test.IssuedCertificate.KeyFormat;
import io.github.mountedsecrets.test.SecretsMount;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.crypto.Cipher;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.PBEParameterSpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile and broken key and certificate input: truncated and bit-flipped real keys, DER with
 * lying lengths and deep nesting, odd PBES2 parameters, huge PEM texts and chains, a password
 * that is not UTF-8. Each must fail with the documented exception and a message that quotes no
 * key bytes and no password, in bounded time.
 */
@Timeout(120)
class TlsInputAttackTest {
  private static final String PASSWORD = "CANARY-pw-7f3a";
  private static final Duration GUARD = Duration.ofSeconds(20);
  private static final String PBES2 = "1.2.840.113549.1.5.13";
  private static final String PBKDF2 = "1.2.840.113549.1.5.12";
  private static final String HMAC_SHA256 = "1.2.840.113549.2.9";
  private static final String AES_256_CBC = "2.16.840.1.101.3.4.1.42";

  private static IssuedCertificate ec;
  private static IssuedCertificate rsa;

  @TempDir Path temp;

  @BeforeAll
  static void keys() {
    ec = CertificateAuthority.create("Attack Root").server("ec");
    rsa = CertificateAuthority.create("Attack RSA Root", KeyType.RSA).issuing(KeyType.RSA)
        .server("rsa");
  }

  // ---------------------------------------------------------------------------------------
  // Truncation and bit flips of real keys

  @Test
  void everyPrefixOfARealKeyFailsCleanly() throws Exception {
    List<String> unclean = new ArrayList<>();
    for (Map.Entry<String, byte[]> key : realKeys().entrySet()) {
      String label = key.getKey().split("/")[0];
      byte[] der = key.getValue();
      List<String> canaries = canaries(der);
      assertTimeoutPreemptively(GUARD, () -> {
        for (int length = 1; length < der.length; length++) {
          byte[] prefix = java.util.Arrays.copyOf(der, length);
          String problem = unclean(() -> PrivateKeyReader.read(block(label, prefix),
              PASSWORD.toCharArray()), canaries);
          if (problem != null) {
            unclean.add(key.getKey() + " prefix " + length + ": " + problem);
          }
        }
      });
    }
    assertThat(unclean).isEmpty();
  }

  @Test
  void everyBitFlipOfARealKeyFailsCleanlyOrYieldsAKeyTheMatchCheckJudges() throws Exception {
    List<String> unclean = new ArrayList<>();
    TlsKeys keys = TlsKeys.of("tls.crt", "tls.key");
    for (Map.Entry<String, byte[]> key : realKeys().entrySet()) {
      String label = key.getKey().split("/")[0];
      IssuedCertificate owner = key.getKey().contains("rsa") ? rsa : ec;
      byte[] der = key.getValue();
      List<String> canaries = canaries(der);
      boolean encrypted = label.startsWith("ENCRYPTED");
      assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
        for (int at = 0; at < der.length; at++) {
          for (int bit = 0; bit < 8; bit++) {
            if (encrypted && bit != at % 8) {
              continue; // one flip a byte: each decryption derives a key
            }
            byte[] flipped = der.clone();
            flipped[at] ^= (byte) (1 << bit);
            String problem = unclean(() -> {
              PrivateKey read = PrivateKeyReader.read(block(label, flipped),
                  PASSWORD.toCharArray());
              try {
                MaterialChecks.keyMatches(keys, owner.certificate(), read);
              } catch (TlsMaterialException e) {
                throw new IllegalArgumentException(e.getMessage());
              }
              return read;
            }, canaries);
            if (problem != null) {
              unclean.add(key.getKey() + " byte " + at + " bit " + bit + ": " + problem);
            }
          }
        }
      });
    }
    assertThat(unclean).isEmpty();
  }

  // ---------------------------------------------------------------------------------------
  // Lying lengths and deep nesting

  @Test
  void derWithLyingLengthsFailsCleanlyInEveryKeyFormat() {
    List<byte[]> bodies = List.of(
        hex("3084ffffffff020100"),            // 4 GB claimed
        hex("30847fffffff020100"),            // 2 GB claimed
        hex("3085000000000302 0100"),         // length in 5 bytes
        hex("3088000000000000000302 0100"),   // length in 8 bytes
        hex("308200030201 00"),               // non-minimal length with leading zero
        hex("30800201000000"),                // indefinite length
        hex("30ff"),                          // reserved length byte
        hex("3080"),
        hex("30"),
        hex("00"),
        hex("3003020100ffff"),                // trailing bytes
        hex("3000"));
    List<String> unclean = new ArrayList<>();
    for (String label : List.of("PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY",
        "ENCRYPTED PRIVATE KEY")) {
      for (byte[] body : bodies) {
        assertTimeoutPreemptively(GUARD, () -> {
          String problem = unclean(() -> PrivateKeyReader.read(block(label, body),
              PASSWORD.toCharArray()), List.of(PASSWORD));
          if (problem != null) {
            unclean.add(label + " " + HexFormat.of().formatHex(body) + ": " + problem);
          }
        });
      }
    }
    assertThat(unclean).isEmpty();
  }

  @Test
  void nestingAHundredThousandDeepFailsCleanlyInEveryFormat() throws Exception {
    byte[] definite = nested(100_000);
    byte[] indefinite = new byte[100_000 * 4 + 2];
    for (int i = 0; i < 100_000; i++) {
      indefinite[2 * i] = 0x30;
      indefinite[2 * i + 1] = (byte) 0x80;
    }
    indefinite[200_000] = 0x05;
    List<String> unclean = new ArrayList<>();
    // Deep nesting as the whole block, and inside a well-formed PKCS#8 wrapper.
    byte[] inPkcs8 = Der.sequence(Der.tlv(Der.INTEGER, new byte[] {0}),
        Der.sequence(Der.oid(PrivateKeyReader.RSA), Der.tlv(Der.NULL, new byte[0])),
        Der.tlv(Der.OCTET_STRING, definite));
    byte[] inEncrypted = Der.sequence(Der.sequence(Der.oid(PBES2), definite),
        Der.tlv(Der.OCTET_STRING, new byte[32]));
    for (String label : List.of("PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY",
        "ENCRYPTED PRIVATE KEY")) {
      for (byte[] body : List.of(definite, indefinite, inPkcs8, inEncrypted)) {
        assertTimeoutPreemptively(GUARD, () -> {
          String problem = unclean(() -> PrivateKeyReader.read(block(label, body),
              PASSWORD.toCharArray()), List.of(PASSWORD));
          if (problem != null) {
            unclean.add(label + " (" + body.length + " bytes): " + problem);
          }
        });
      }
    }
    assertThat(unclean).isEmpty();
  }

  /**
   * A key file under the default 1 MB limit holding 180,000 nested indefinite (BER) lengths,
   * where the JDK parses it (a PKCS#1 body, an encrypted PKCS#8 body, the key inside a PKCS#8
   * OCTET STRING): the JDK's conversion of indefinite lengths is quadratic in the nesting, some
   * twenty seconds a read here. A linear refusal takes milliseconds.
   */
  @Test
  void nestedIndefiniteLengthsInAKeyFileAreRefusedInLinearTime() throws Exception {
    int depth = 180_000;
    byte[] indefinite = new byte[depth * 4 + 2];
    for (int i = 0; i < depth; i++) {
      indefinite[2 * i] = 0x30;
      indefinite[2 * i + 1] = (byte) 0x80;
    }
    indefinite[2 * depth] = 0x05;
    Map<String, String> keys = new LinkedHashMap<>();
    keys.put("PKCS#1", pem("RSA PRIVATE KEY", indefinite));
    keys.put("encrypted PKCS#8", pem("ENCRYPTED PRIVATE KEY", indefinite));
    keys.put("PKCS#8", pem("PRIVATE KEY", Der.sequence(Der.tlv(Der.INTEGER, new byte[] {0}),
        Der.sequence(Der.oid(PrivateKeyReader.RSA), Der.tlv(Der.NULL, new byte[0])),
        Der.tlv(Der.OCTET_STRING, indefinite))));
    for (Map.Entry<String, String> key : keys.entrySet()) {
      assertThat(key.getValue().length()).isLessThan(1 << 20);
      SecretsSnapshot snapshot = mount(Map.of("tls.crt", ec.chainPem(), "tls.key", key.getValue(),
          "tls.pass", PASSWORD));
      assertTimeoutPreemptively(Duration.ofSeconds(5), () ->
          assertThatThrownBy(() -> TlsMaterial.read(snapshot, TlsKeys.of("tls.crt", "tls.key")
              .withPrivateKeyPassword("tls.pass")))
              .isInstanceOf(TlsMaterialException.class)
              .hasMessageContaining("cannot be read"), key.getKey());
    }
  }

  @Test
  void deeplyNestedCertificatesAreRefusedWithTheDocumentedException() throws Exception {
    byte[] definite = nested(100_000);
    byte[] indefinite = new byte[100_000 * 4 + 2];
    for (int i = 0; i < 100_000; i++) {
      indefinite[2 * i] = 0x30;
      indefinite[2 * i + 1] = (byte) 0x80;
    }
    indefinite[200_000] = 0x05;
    byte[] indefiniteInside = Der.sequence(Der.sequence(indefinite), Der.tlv(0xA0, indefinite));
    for (byte[] body : List.of(definite, indefinite, indefiniteInside)) {
      String pem = pem("CERTIFICATE", body);
      SecretsSnapshot snapshot = mount(Map.of("tls.crt", pem, "tls.key", ec.privateKeyPem()));
      assertTimeoutPreemptively(GUARD, () -> {
        Throwable thrown = catchThrowable(() ->
            TlsMaterial.read(snapshot, TlsKeys.of("tls.crt", "tls.key")));
        assertThat(thrown).isInstanceOf(TlsMaterialException.class);
      });
    }
  }

  /**
   * Nested indefinite lengths inside a primitive value the JDK parses as DER of its own (a
   * certificate's subjectAltName extension value), where the structural walk does not go: the
   * JDK took 5 s for 100,000 levels, 24 s for a file under the default maxFileSize. Refused
   * before the JDK sees them.
   */
  @Test
  void nestedIndefiniteLengthsInsideAnExtensionValueAreRefusedQuickly() throws Exception {
    byte[] cert = ec.certificate().getEncoded();
    List<byte[]> top = Der.children(cert);
    List<byte[]> tbs = Der.children(top.get(0));
    int depth = 100_000;
    byte[] payload = new byte[4 * depth + 2];
    int at = 0;
    for (int i = 0; i < depth; i++) {
      payload[at++] = 0x30;
      payload[at++] = (byte) 0x80;
    }
    payload[at++] = (byte) 0x82; // an empty dNSName, then the end-of-contents of each level
    byte[] extension = Der.sequence(Der.oid("2.5.29.17"), Der.tlv(Der.OCTET_STRING, payload));
    List<byte[]> newTbs = new ArrayList<>(tbs.subList(0, 7));
    newTbs.add(Der.tlv(0xA3, Der.sequence(extension)));
    byte[] bomb = Der.sequence(Der.sequence(newTbs.toArray(new byte[0][])), top.get(1), top.get(2));
    SecretsSnapshot snapshot = mount(Map.of("tls.crt", pem("CERTIFICATE", bomb),
        "tls.key", ec.privateKeyPem()));
    // Refused by the check, not by the JDK after seconds of parsing (which would accept it).
    assertTimeoutPreemptively(GUARD, () -> assertThatThrownBy(() ->
        TlsMaterial.read(snapshot, TlsKeys.of("tls.crt", "tls.key")))
        .isInstanceOf(TlsMaterialException.class)
        .hasMessageContaining("certificate 1 is not one DER element"));
  }

  /**
   * OpenSSL's TRUSTED CERTIFICATE form ({@code openssl x509 -addtrust serverAuth -trustout}) is
   * the certificate followed by its trust settings: the certificate is read, the rest ignored,
   * as the JDK does.
   */
  @Test
  void aTrustedCertificateWithTrustSettingsIsRead() throws Exception {
    byte[] cert = ec.certificate().getEncoded();
    byte[] trustSettings = Der.sequence(Der.sequence(Der.oid("1.3.6.1.5.5.7.3.1")));
    byte[] trusted = new byte[cert.length + trustSettings.length];
    System.arraycopy(cert, 0, trusted, 0, cert.length);
    System.arraycopy(trustSettings, 0, trusted, cert.length, trustSettings.length);
    SecretsSnapshot snapshot = mount(Map.of("tls.crt", ec.certificatePem(),
        "tls.key", ec.privateKeyPem(), "ca.crt", pem("TRUSTED CERTIFICATE", trusted)));
    TlsMaterial material = TlsMaterial.read(snapshot,
        TlsKeys.of("tls.crt", "tls.key").withTrust("ca.crt"));
    assertThat(material.trustCertificates()).containsExactly(ec.certificate());
  }

  // ---------------------------------------------------------------------------------------
  // PBES2 parameters

  @Test
  void oddPbes2ParametersFailCleanlyAndQuickly() throws Exception {
    byte[] salt = new byte[16];
    byte[] iv = new byte[16];
    byte[] sha256 = Der.sequence(Der.oid(HMAC_SHA256), Der.tlv(Der.NULL, new byte[0]));
    Map<String, byte[]> cases = new LinkedHashMap<>();
    cases.put("unknown PRF", pbes2(salt, integer(2048), Der.sequence(Der.oid("1.2.840.113549.2.99"),
        Der.tlv(Der.NULL, new byte[0])), AES_256_CBC, iv));
    cases.put("unknown cipher", pbes2(salt, integer(2048), sha256, "1.2.3.4.5.6.7", iv));
    cases.put("DES-EDE3 cipher", pbes2(salt, integer(2048), sha256, "1.2.840.113549.3.7",
        new byte[8]));
    cases.put("iterations 0", pbes2(salt, integer(0), sha256, AES_256_CBC, iv));
    cases.put("iterations -1", pbes2(salt, integer(-1), sha256, AES_256_CBC, iv));
    cases.put("iterations MIN", pbes2(salt, integer(Integer.MIN_VALUE), sha256, AES_256_CBC, iv));
    cases.put("iterations MAX", pbes2(salt, integer(Integer.MAX_VALUE), sha256, AES_256_CBC, iv));
    cases.put("iterations 2^40", pbes2(salt, Der.tlv(Der.INTEGER, hex("010000000000")), sha256,
        AES_256_CBC, iv));
    cases.put("iterations 5000001", pbes2(salt, integer(5_000_001), sha256, AES_256_CBC, iv));
    cases.put("salt 1 MB", pbes2(new byte[1 << 20], integer(2048), sha256, AES_256_CBC, iv));
    cases.put("salt empty", pbes2(new byte[0], integer(2048), sha256, AES_256_CBC, iv));
    cases.put("IV 1 MB", pbes2(salt, integer(2048), sha256, AES_256_CBC, new byte[1 << 20]));
    cases.put("IV empty", pbes2(salt, integer(2048), sha256, AES_256_CBC, new byte[0]));
    cases.put("key length MAX", pbes2Raw(Der.sequence(Der.oid(PBKDF2), Der.sequence(
        Der.tlv(Der.OCTET_STRING, salt), integer(2048), integer(Integer.MAX_VALUE), sha256)),
        AES_256_CBC, iv));
    cases.put("no parameters", Der.sequence(Der.sequence(Der.oid(PBES2)),
        Der.tlv(Der.OCTET_STRING, new byte[48])));
    cases.put("PBES1 MD5/DES 100M iterations", Der.sequence(Der.sequence(
        Der.oid("1.2.840.113549.1.5.3"), Der.sequence(Der.tlv(Der.OCTET_STRING, new byte[8]),
            integer(100_000_000))), Der.tlv(Der.OCTET_STRING, new byte[48])));
    cases.put("PKCS#12 SHA1/3DES 100M iterations", Der.sequence(Der.sequence(
        Der.oid("1.2.840.113549.1.12.1.3"), Der.sequence(Der.tlv(Der.OCTET_STRING, new byte[8]),
            integer(100_000_000))), Der.tlv(Der.OCTET_STRING, new byte[48])));
    List<String> unclean = new ArrayList<>();
    for (Map.Entry<String, byte[]> attack : cases.entrySet()) {
      long start = System.nanoTime();
      assertTimeoutPreemptively(GUARD, () -> {
        String problem = unclean(() -> PrivateKeyReader.read(block("ENCRYPTED PRIVATE KEY",
            attack.getValue()), PASSWORD.toCharArray()), List.of(PASSWORD));
        if (problem != null) {
          unclean.add(attack.getKey() + ": " + problem);
        }
      }, attack.getKey());
      System.out.println(attack.getKey() + " took " + (System.nanoTime() - start) / 1_000_000
          + " ms");
    }
    assertThat(unclean).isEmpty();
  }

  // ---------------------------------------------------------------------------------------
  // Unsupported curves and huge keys

  @Test
  void unsupportedCurvesAndHugeRsaKeysFailCleanlyAndQuickly() throws Exception {
    byte[] pkcs8 = ec.privateKey().getEncoded();
    List<byte[]> info = Der.children(pkcs8);
    byte[] ecPrivateKey = Der.content(info.get(2));
    Map<String, byte[]> cases = new LinkedHashMap<>();
    for (String curve : List.of("1.3.132.0.10" /* secp256k1 */, "1.3.36.3.3.2.8.1.1.7"
        /* brainpoolP256r1 */, "1.2.3.4", "1.3.101.110" /* X25519 */)) {
      byte[] wrapped = Der.sequence(info.get(0), Der.sequence(Der.oid(PrivateKeyReader.EC),
          Der.oid(curve)), info.get(2));
      cases.put("PRIVATE KEY/" + curve, wrapped);
      List<byte[]> sec1 = Der.children(ecPrivateKey);
      cases.put("EC PRIVATE KEY/" + curve, Der.sequence(sec1.get(0), sec1.get(1),
          Der.tlv(0xA0, Der.oid(curve))));
    }
    // RSA with a 100,000-bit modulus and exponents of the same size.
    SecureRandom random = new SecureRandom();
    BigInteger huge = new BigInteger(100_000, random).setBit(99_999).setBit(0);
    byte[] pkcs1 = Der.sequence(integer(0), integer(huge), integer(huge), integer(huge),
        integer(huge), integer(huge), integer(huge), integer(huge), integer(huge));
    cases.put("RSA PRIVATE KEY/100000 bits", pkcs1);
    cases.put("PRIVATE KEY/100000 bits", Der.sequence(integer(0), Der.sequence(
        Der.oid(PrivateKeyReader.RSA), Der.tlv(Der.NULL, new byte[0])),
        Der.tlv(Der.OCTET_STRING, pkcs1)));
    // DSA with a 100,000-bit p and q.
    cases.put("PRIVATE KEY/DSA 100000 bits", Der.sequence(integer(0), Der.sequence(
        Der.oid("1.2.840.10040.4.1"), Der.sequence(integer(huge), integer(huge), integer(huge))),
        Der.tlv(Der.OCTET_STRING, integer(huge))));
    List<String> unclean = new ArrayList<>();
    TlsKeys keys = TlsKeys.of("tls.crt", "tls.key");
    for (Map.Entry<String, byte[]> attack : cases.entrySet()) {
      String label = attack.getKey().split("/")[0];
      assertTimeoutPreemptively(GUARD, () -> {
        String problem = unclean(() -> {
          PrivateKey key = PrivateKeyReader.read(block(label, attack.getValue()), null);
          for (IssuedCertificate owner : List.of(ec, rsa)) {
            try {
              MaterialChecks.keyMatches(keys, owner.certificate(), key);
            } catch (TlsMaterialException e) {
              continue;
            }
            throw new AssertionError("matched");
          }
          throw new IllegalArgumentException("read but matches nothing");
        }, canaries(attack.getValue()));
        if (problem != null) {
          unclean.add(attack.getKey() + ": " + problem);
        }
      }, attack.getKey());
    }
    assertThat(unclean).isEmpty();
  }

  // ---------------------------------------------------------------------------------------
  // Huge PEM texts and chains

  @Test
  void hugePemTextsParseInLinearTime() {
    int size = 32 << 20;
    Map<String, byte[]> cases = new LinkedHashMap<>();
    byte[] garbage = new byte[size];
    new SecureRandom().nextBytes(garbage);
    String base64 = Base64.getMimeEncoder().encodeToString(garbage).substring(0, size);
    cases.put("base64 garbage", ("-----BEGIN PRIVATE KEY-----\n" + base64
        + "\n-----END PRIVATE KEY-----\n").getBytes(StandardCharsets.US_ASCII));
    cases.put("one line of letters", ("-----BEGIN PRIVATE KEY-----\n" + "A".repeat(size)
        + "\n-----END PRIVATE KEY-----\n").getBytes(StandardCharsets.US_ASCII));
    cases.put("header-like lines", ("-----BEGIN PRIVATE KEY-----\n"
        + "Abc-Def\n".repeat(size / 8) + "\n-----END PRIVATE KEY-----\n")
        .getBytes(StandardCharsets.US_ASCII));
    cases.put("unterminated BEGINs", "-----BEGIN A-----".repeat(size / 17)
        .getBytes(StandardCharsets.US_ASCII));
    cases.put("BEGIN without dashes", "-----BEGIN ".repeat(size / 11)
        .getBytes(StandardCharsets.US_ASCII));
    cases.put("many empty blocks", "-----BEGIN A-----\n-----END A-----\n".repeat(size / 34)
        .getBytes(StandardCharsets.US_ASCII));
    cases.put("many tiny blocks", "-----BEGIN A-----\nAA==\n-----END A-----\n"
        .repeat(size / 39).getBytes(StandardCharsets.US_ASCII));
    cases.put("END without dashes", ("-----BEGIN A-----\n" + "-----END ".repeat(size / 9))
        .getBytes(StandardCharsets.US_ASCII));
    List<String> unclean = new ArrayList<>();
    for (Map.Entry<String, byte[]> attack : cases.entrySet()) {
      long start = System.nanoTime();
      assertTimeoutPreemptively(GUARD, () -> {
        Throwable thrown = catchThrowable(() -> PemBlock.parse(attack.getValue()));
        if (thrown != null && !(thrown instanceof IllegalArgumentException)) {
          unclean.add(attack.getKey() + ": " + thrown);
        } else if (thrown != null && thrown.getMessage().length() > 300) {
          unclean.add(attack.getKey() + ": message of " + thrown.getMessage().length()
              + " characters");
        }
      }, attack.getKey());
      System.out.println(attack.getKey() + " took " + (System.nanoTime() - start) / 1_000_000
          + " ms");
    }
    assertThat(unclean).isEmpty();
  }

  @Test
  void aChainOfTenThousandCertificatesIsReadOrRefusedInBoundedTime() throws Exception {
    CertificateAuthority root = CertificateAuthority.create("Long Chain Root");
    IssuedCertificate self = root.certificate();
    String chain = self.certificatePem().repeat(10_000);
    SecretsMount mount = SecretsMount.atomicWriter(temp.resolve("chain"));
    mount.publish(Map.of("tls.crt", chain, "tls.key", self.privateKeyPem()));
    try (MountedSecrets secrets = MountedSecrets.builder().directory(mount.directory())
        .maxFileSize(64L << 20).watch(false).build()) {
      SecretsSnapshot snapshot = secrets.snapshot();
      assertTimeoutPreemptively(GUARD, () -> {
        Throwable thrown = catchThrowable(() ->
            TlsMaterial.read(snapshot, TlsKeys.of("tls.crt", "tls.key")));
        assertThat(thrown == null || thrown instanceof TlsMaterialException)
            .as("%s", thrown).isTrue();
      });
    }
  }

  // ---------------------------------------------------------------------------------------
  // The password

  @Test
  void aPasswordKeyHoldingNonUtf8BytesIsATlsMaterialExceptionNamingTheKey() throws Exception {
    byte[] password = {(byte) 0xC3, 0x28, 'C', 'A', 'N', 'A', 'R', 'Y', (byte) 0xFF};
    Map<String, Object> files = new LinkedHashMap<>();
    files.put("tls.crt", ec.chainPem());
    files.put("tls.key", ec.encryptedPrivateKeyPem(PASSWORD.toCharArray()));
    files.put("tls.pass", password);
    SecretsSnapshot snapshot = mount(files);
    TlsKeys keys = TlsKeys.of("tls.crt", "tls.key").withPrivateKeyPassword("tls.pass");

    assertThatThrownBy(() -> TlsMaterial.read(snapshot, keys))
        .isInstanceOf(TlsMaterialException.class)
        .hasMessageContaining("tls.pass")
        .hasMessageNotContaining("CANARY");
  }

  @Test
  void aNonUtf8PasswordGenerationIsRefusedAndReportedByTheRotation() throws Exception {
    SecretsMount mount = SecretsMount.atomicWriter(temp.resolve("rot"));
    mount.publish(Map.of("tls.crt", ec.chainPem(),
        "tls.key", ec.encryptedPrivateKeyPem(PASSWORD.toCharArray()), "tls.pass", PASSWORD));
    try (MountedSecrets secrets = MountedSecrets.builder().directory(mount.directory())
        .pollInterval(Duration.ofMillis(100)).quietPeriod(Duration.ofMillis(20)).build();
        TlsRotation rotation = TlsRotation.builder(secrets).name("web")
            .keys(TlsKeys.of("tls.crt", "tls.key").withPrivateKeyPassword("tls.pass")).build()) {
      TlsMaterial served = rotation.current();
      mount.put("tls.pass", new byte[] {(byte) 0xFF, (byte) 0xFE, 'x'});
      Await.until(Duration.ofSeconds(10), () -> secrets.snapshot().bytes("tls.pass").length == 3,
          () -> "the new password file");
      Await.until(Duration.ofSeconds(10), () -> rotation.status().rejections() >= 1
          || secrets.status().listenerFailures() > 0, () -> "a reaction");
      assertThat(rotation.current()).isSameAs(served);
      assertThat(secrets.status().listenerFailures()).isZero();
      assertThat(rotation.status().rejections()).isEqualTo(1);
      assertThat(rotation.status().lastRejection()).hasValueSatisfying(r -> assertThat(r).contains("tls.pass"));
    }
  }

  @Test
  void buildingOnANonUtf8PasswordThrowsTheDocumentedExceptionAndLeavesNoListener()
      throws Exception {
    SecretsMount mount = SecretsMount.atomicWriter(temp.resolve("build"));
    Map<String, Object> files = new LinkedHashMap<>();
    files.put("tls.crt", ec.chainPem());
    files.put("tls.key", ec.encryptedPrivateKeyPem(PASSWORD.toCharArray()));
    files.put("tls.pass", new byte[] {(byte) 0xFF});
    mount.publish(files);
    try (MountedSecrets secrets = MountedSecrets.builder().directory(mount.directory())
        .pollInterval(Duration.ofMillis(100)).quietPeriod(Duration.ofMillis(20)).build()) {
      assertThatThrownBy(() -> TlsRotation.builder(secrets).name("web")
          .keys(TlsKeys.of("tls.crt", "tls.key").withPrivateKeyPassword("tls.pass")).build())
          .isInstanceOf(TlsMaterialException.class)
          .hasMessageContaining("TLS 'web'");
      // A generation that changes the material: no half-built rotation may still listen.
      mount.put("tls.key", "not a key");
      Await.until(Duration.ofSeconds(10), () -> secrets.snapshot().get("tls.key")
          .equals("not a key"), () -> "the new key file");
      Thread.sleep(300);
      assertThat(secrets.status().listenerFailures()).isZero();
    }
  }

  // ---------------------------------------------------------------------------------------

  /** Real keys in every format, DER, by "label/what". */
  private static Map<String, byte[]> realKeys() throws Exception {
    Map<String, byte[]> keys = new LinkedHashMap<>();
    keys.put("PRIVATE KEY/ec", ec.privateKey().getEncoded());
    keys.put("PRIVATE KEY/rsa", rsa.privateKey().getEncoded());
    keys.put("EC PRIVATE KEY/ec", der(ec.privateKeyPem(KeyFormat.SEC1)));
    keys.put("RSA PRIVATE KEY/rsa", der(rsa.privateKeyPem(KeyFormat.PKCS1)));
    keys.put("ENCRYPTED PRIVATE KEY/ec", encrypt(ec.privateKey(), 1000));
    keys.put("ENCRYPTED PRIVATE KEY/rsa", encrypt(rsa.privateKey(), 1000));
    return keys;
  }

  /** PBES2 (PBKDF2 with HMAC-SHA256, AES-256-CBC), as OpenSSL writes it. */
  private static byte[] encrypt(PrivateKey key, int iterations) throws Exception {
    String algorithm = "PBEWithHmacSHA256AndAES_256";
    byte[] salt = new byte[16];
    byte[] iv = new byte[16];
    new SecureRandom().nextBytes(salt);
    new SecureRandom().nextBytes(iv);
    Cipher cipher = Cipher.getInstance(algorithm);
    cipher.init(Cipher.ENCRYPT_MODE, SecretKeyFactory.getInstance(algorithm)
        .generateSecret(new PBEKeySpec(PASSWORD.toCharArray())),
        new PBEParameterSpec(salt, iterations, new IvParameterSpec(iv)));
    byte[] encrypted = cipher.doFinal(key.getEncoded());
    AlgorithmParameters parameters = cipher.getParameters();
    return Der.sequence(Der.sequence(Der.oid(PBES2), parameters.getEncoded()),
        Der.tlv(Der.OCTET_STRING, encrypted));
  }

  private static byte[] pbes2(byte[] salt, byte[] iterations, byte[] prf, String cipher,
      byte[] iv) {
    return pbes2Raw(Der.sequence(Der.oid(PBKDF2), Der.sequence(Der.tlv(Der.OCTET_STRING, salt),
        iterations, prf)), cipher, iv);
  }

  private static byte[] pbes2Raw(byte[] kdf, String cipher, byte[] iv) {
    return Der.sequence(Der.sequence(Der.oid(PBES2), Der.sequence(kdf,
        Der.sequence(Der.oid(cipher), Der.tlv(Der.OCTET_STRING, iv)))),
        Der.tlv(Der.OCTET_STRING, new byte[48]));
  }

  private static byte[] integer(long value) {
    return Der.tlv(Der.INTEGER, BigInteger.valueOf(value).toByteArray());
  }

  private static byte[] integer(BigInteger value) {
    return Der.tlv(Der.INTEGER, value.toByteArray());
  }

  /** SEQUENCEs nested {@code depth} deep around a NULL, with definite lengths. */
  private static byte[] nested(int depth) {
    int[] contentLength = new int[depth + 1];
    contentLength[0] = 2;
    for (int i = 1; i <= depth; i++) {
      contentLength[i] = contentLength[i - 1] + header(contentLength[i - 1]).length;
    }
    byte[] out = new byte[contentLength[depth]];
    int at = 0;
    for (int i = depth - 1; i >= 0; i--) {
      byte[] header = header(contentLength[i]);
      System.arraycopy(header, 0, out, at, header.length);
      at += header.length;
    }
    out[at] = 0x05;
    return out;
  }

  private static byte[] header(int length) {
    if (length < 0x80) {
      return new byte[] {0x30, (byte) length};
    }
    byte[] bytes = BigInteger.valueOf(length).toByteArray();
    int skip = bytes[0] == 0 ? 1 : 0;
    byte[] header = new byte[2 + bytes.length - skip];
    header[0] = 0x30;
    header[1] = (byte) (0x80 | (bytes.length - skip));
    System.arraycopy(bytes, skip, header, 2, bytes.length - skip);
    return header;
  }

  private static byte[] der(String pem) {
    return PemBlock.parse(pem.getBytes(StandardCharsets.US_ASCII)).get(0).der;
  }

  private static PemBlock block(String label, byte[] der) {
    return PemBlock.parse(pem(label, der).getBytes(StandardCharsets.US_ASCII)).get(0);
  }

  private static String pem(String label, byte[] der) {
    return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder().encodeToString(der)
        + "\n-----END " + label + "-----\n";
  }

  private static byte[] hex(String text) {
    return HexFormat.of().parseHex(text.replace(" ", ""));
  }

  /** The password, and every 16-character piece of the key's base64 and 24-digit piece of hex. */
  private static List<String> canaries(byte[] der) {
    List<String> canaries = new ArrayList<>(List.of(PASSWORD));
    String base64 = Base64.getEncoder().encodeToString(der);
    for (int i = 0; i + 16 <= base64.length(); i += 8) {
      canaries.add(base64.substring(i, i + 16));
    }
    String hex = HexFormat.of().formatHex(der);
    for (int i = 0; i + 24 <= hex.length(); i += 12) {
      canaries.add(hex.substring(i, i + 24));
      canaries.add(hex.substring(i, i + 24).toUpperCase());
    }
    return canaries;
  }

  /**
   * Runs an attack and returns null when it ends in an {@link IllegalArgumentException} (or
   * returns normally) with a message quoting no canary, else what went wrong.
   */
  private static String unclean(Callable<?> attack, List<String> canaries) {
    Throwable thrown;
    try {
      attack.call();
      return null;
    } catch (Throwable e) {
      thrown = e;
    }
    if (!(thrown instanceof IllegalArgumentException)) {
      return thrown.getClass().getName() + ": " + thrown.getMessage();
    }
    String message = String.valueOf(thrown.getMessage());
    for (String canary : canaries) {
      if (message.contains(canary)) {
        return "message quotes '" + canary + "': " + message;
      }
    }
    return null;
  }

  private SecretsSnapshot mount(Map<String, ?> files) {
    SecretsMount mount = SecretsMount.atomicWriter(temp.resolve("m" + System.nanoTime()));
    mount.publish(files);
    try (MountedSecrets secrets = MountedSecrets.builder().directory(mount.directory())
        .watch(false).build()) {
      return secrets.snapshot();
    }
  }
}
