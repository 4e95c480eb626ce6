package io.github.mountedsecrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.mountedsecrets.test.Await;
import io.github.mountedsecrets.test.SecretsMount;
import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** getInt, getLong, getBoolean, getDuration, getBase64Bytes and getChars, and their cache. */
@Timeout(60)
class TypedAccessTest {
  @TempDir Path temp;

  private SecretsMount mount;

  private MountedSecrets open(Map<String, ?> files) {
    mount = SecretsMount.atomicWriter(temp.resolve("mount")).publish(files);
    return MountedSecrets.builder().directory(mount.directory()).watch(false)
        .pollInterval(Duration.ofHours(1)).build();
  }

  private MountedSecrets open(String key, String value) {
    return open(Map.of(key, value));
  }

  // ---------------------------------------------------------------------------------------
  // Numbers

  @Test
  void intsAndLongs() {
    Map<String, Object> files = new LinkedHashMap<>();
    files.put("PORT", "5432\n");
    files.put("NEG", "-17");
    files.put("MAX", "2147483647");
    files.put("BIG", "9223372036854775807");
    files.put("db", "{\"port\":3306,\"big\":12345678901}");
    try (MountedSecrets secrets = open(files)) {
      assertThat(secrets.getInt("PORT")).isEqualTo(5432);
      assertThat(secrets.getInt("NEG")).isEqualTo(-17);
      assertThat(secrets.getInt("MAX")).isEqualTo(Integer.MAX_VALUE);
      assertThat(secrets.getInt("db.port")).isEqualTo(3306);
      assertThat(secrets.getLong("BIG")).isEqualTo(Long.MAX_VALUE);
      assertThat(secrets.getLong("db.big")).isEqualTo(12345678901L);
      assertThat(secrets.getLong("PORT")).isEqualTo(5432L);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"abc", "12.5", "2147483648", "", "0x10", "1 2"})
  void aValueThatIsNotAnIntIsRefusedWithoutQuotingIt(String value) {
    try (MountedSecrets secrets = open("PORT", value)) {
      SecretFormatException e = assertThrows(SecretFormatException.class, () -> secrets.getInt("PORT"));
      assertThat(e.key()).isEqualTo("PORT");
      assertThat(e.getMessage()).isEqualTo("Secret 'PORT' in " + mount.directory()
          + " cannot be read as an int (a whole number from -2147483648 to 2147483647); "
          + "the value is not shown");
      assertThat(e.getCause()).isNull();
    }
  }

  @Test
  void aValueThatIsNotALongIsRefusedWithoutQuotingIt() {
    try (MountedSecrets secrets = open("BIG", "9223372036854775808")) {
      SecretFormatException e = assertThrows(SecretFormatException.class, () -> secrets.getLong("BIG"));
      assertThat(e.getMessage()).isEqualTo("Secret 'BIG' in " + mount.directory()
          + " cannot be read as a long (a whole number); the value is not shown");
    }
  }

  // ---------------------------------------------------------------------------------------
  // Booleans

  @ParameterizedTest
  @CsvSource({"true,true", "false,false", "yes,true", "no,false", "on,true", "off,false",
      "1,true", "0,false", "TRUE,true", "No,false", "On,true", "'  yes\n',true"})
  void booleans(String text, boolean expected) {
    try (MountedSecrets secrets = open("FLAG", text)) {
      assertThat(secrets.getBoolean("FLAG")).isEqualTo(expected);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"maybe", "t", "y", "2", "", "enabled"})
  void aValueThatIsNotABooleanIsRefusedWithoutQuotingIt(String value) {
    try (MountedSecrets secrets = open("FLAG", value)) {
      SecretFormatException e = assertThrows(SecretFormatException.class, () -> secrets.getBoolean("FLAG"));
      assertThat(e.getMessage()).isEqualTo("Secret 'FLAG' in " + mount.directory()
          + " cannot be read as a boolean (true/false, yes/no, on/off or 1/0); the value is not shown");
    }
  }

  // ---------------------------------------------------------------------------------------
  // Durations

  @ParameterizedTest
  @CsvSource({"PT30S,30000", "pt1m,60000", "500ms,500", "30s,30000", "5m,300000", "1h,3600000",
      "2d,172800000", "1500,1500", "'  45s\n',45000", "10 s,10000"})
  void durations(String text, long millis) {
    try (MountedSecrets secrets = open("TIMEOUT", text)) {
      assertThat(secrets.getDuration("TIMEOUT")).isEqualTo(Duration.ofMillis(millis));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"soon", "1.5s", "5 minutes", "PT", "P", "ms", "", "30x", "99999999999999999999s"})
  void aValueThatIsNotADurationIsRefusedWithoutQuotingIt(String value) {
    try (MountedSecrets secrets = open("TIMEOUT", value)) {
      SecretFormatException e = assertThrows(SecretFormatException.class, () -> secrets.getDuration("TIMEOUT"));
      assertThat(e.getMessage()).startsWith("Secret 'TIMEOUT' in " + mount.directory()
          + " cannot be read as a duration (ISO-8601 such as PT30S, or a number with a unit")
          .endsWith("; the value is not shown");
      assertThat(e.getCause()).isNull();
    }
  }

  // ---------------------------------------------------------------------------------------
  // Base64

  @Test
  void base64StandardUrlSafeAndWithLineBreaks() {
    byte[] data = new byte[300];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) (i * 7 + 3);
    }
    Map<String, Object> files = new LinkedHashMap<>();
    files.put("STD", Base64.getEncoder().encodeToString(data));
    files.put("URL", Base64.getUrlEncoder().encodeToString(data));
    files.put("URL_NOPAD", Base64.getUrlEncoder().withoutPadding().encodeToString(data));
    files.put("MIME", Base64.getMimeEncoder().encodeToString(data) + "\n");
    files.put("LF", Base64.getMimeEncoder(60, new byte[] {'\n'}).encodeToString(data) + "\n");
    try (MountedSecrets secrets = open(files)) {
      assertThat(Base64.getEncoder().encodeToString(data)).contains("+", "/");
      for (String key : files.keySet()) {
        assertThat(secrets.getBase64Bytes(key)).as(key).isEqualTo(data);
      }
    }
  }

  @Test
  void base64BytesAreANewCopyEachCall() {
    try (MountedSecrets secrets = open("KEY", Base64.getEncoder().encodeToString(
        "hello".getBytes(StandardCharsets.UTF_8)))) {
      byte[] first = secrets.getBase64Bytes("KEY");
      first[0] = 0;
      assertThat(secrets.getBase64Bytes("KEY")).isEqualTo("hello".getBytes(StandardCharsets.UTF_8))
          .isNotSameAs(first);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"abcde", "YQ==YQ==", "not base64!"})
  void aValueThatIsNotBase64IsRefusedWithoutQuotingIt(String value) {
    try (MountedSecrets secrets = open("KEY", value)) {
      SecretFormatException e = assertThrows(SecretFormatException.class, () -> secrets.getBase64Bytes("KEY"));
      assertThat(e.getMessage()).isEqualTo("Secret 'KEY' in " + mount.directory()
          + " cannot be read as base64 (standard or URL-safe alphabet); the value is not shown");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"hello world", "%%%%", "dGVzdA==!", "p@ss:w0rd", "{\"a\":\"b\"}"})
  void charactersOutsideTheBase64AlphabetAreRefused(String value) {
    // The MIME decoder skips every character outside the alphabet: "hello world" decodes to 7
    // bytes of garbage and "%%%%" to an empty array, instead of failing.
    try (MountedSecrets secrets = open("KEY", value)) {
      assertThrows(SecretFormatException.class, () -> secrets.getBase64Bytes("KEY"),
          () -> "decoded '" + value + "' instead of refusing it");
    }
  }

  // ---------------------------------------------------------------------------------------
  // Chars

  @Test
  void getCharsReturnsANewArrayEachCall() {
    try (MountedSecrets secrets = open("PASSWORD", "pa55word\n")) {
      char[] first = secrets.getChars("PASSWORD");
      assertThat(first).containsExactly("pa55word".toCharArray());
      java.util.Arrays.fill(first, '\0');
      char[] second = secrets.getChars("PASSWORD");
      assertThat(second).isNotSameAs(first).containsExactly("pa55word".toCharArray());
    }
  }

  @Test
  void getCharsOfInvalidUtf8Fails() {
    mount = SecretsMount.atomicWriter(temp.resolve("mount"))
        .publish(Map.of("BIN", new byte[] {(byte) 0xFF, (byte) 0xFE}));
    try (MountedSecrets secrets = MountedSecrets.builder().directory(mount.directory()).watch(false)
        .build()) {
      SecretFormatException e = assertThrows(SecretFormatException.class, () -> secrets.getChars("BIN"));
      assertThat(e.key()).isEqualTo("BIN");
      assertThrows(SecretFormatException.class, () -> secrets.getInt("BIN"));
    }
  }

  // ---------------------------------------------------------------------------------------
  // Missing keys

  @Test
  void everyTypedGetterNamesAMissingKeyAndTheMount() {
    try (MountedSecrets secrets = open("PORT", "1")) {
      Map<String, Function<String, Object>> getters = new LinkedHashMap<>();
      getters.put("getInt", secrets::getInt);
      getters.put("getLong", secrets::getLong);
      getters.put("getBoolean", secrets::getBoolean);
      getters.put("getDuration", secrets::getDuration);
      getters.put("getBase64Bytes", secrets::getBase64Bytes);
      getters.put("getChars", secrets::getChars);
      for (Map.Entry<String, Function<String, Object>> getter : getters.entrySet()) {
        SecretNotFoundException e = assertThrows(SecretNotFoundException.class,
            () -> getter.getValue().apply("PORTT"), getter.getKey());
        assertThat(e.getMessage()).as(getter.getKey())
            .isEqualTo("No secret 'PORTT' in " + mount.directory() + "; did you mean 'PORT'?");
      }
    }
  }

  // ---------------------------------------------------------------------------------------
  // Caching

  @Test
  void aConversionIsMadeOncePerVersion() {
    Map<String, Object> files = new LinkedHashMap<>();
    files.put("TIMEOUT", "17s");
    files.put("OTHER", "o-1");
    try (MountedSecrets secrets = open(files)) {
      Duration first = secrets.getDuration("TIMEOUT");
      assertThat(secrets.getDuration("TIMEOUT")).isSameAs(first);

      // Another key changes: TIMEOUT keeps its version and its cached value.
      mount.put("OTHER", "o-2");
      secrets.reload();
      assertThat(secrets.getDuration("TIMEOUT")).isSameAs(first);

      mount.put("TIMEOUT", "18s");
      secrets.reload();
      Duration second = secrets.getDuration("TIMEOUT");
      assertThat(second).isEqualTo(Duration.ofSeconds(18));
      assertThat(secrets.getDuration("TIMEOUT")).isSameAs(second);
    }
  }

  @Test
  void typesOfTheSameKeyAreCachedApart() {
    try (MountedSecrets secrets = open("N", "1")) {
      assertThat(secrets.getInt("N")).isEqualTo(1);
      assertThat(secrets.getLong("N")).isEqualTo(1L);
      assertThat(secrets.getBoolean("N")).isTrue();
      assertThat(secrets.getDuration("N")).isEqualTo(Duration.ofMillis(1));
    }
  }

  @Test
  void afterRotationNoCacheEntryOfTheOldVersionRemains() {
    try (MountedSecrets secrets = open("TIMEOUT", "17s")) {
      WeakReference<Duration> old = new WeakReference<>(secrets.getDuration("TIMEOUT"));
      // Control: while the version is current, the cache keeps the value reachable.
      System.gc();
      assertThat(old.get()).as("cached value before rotation").isNotNull();
      assertThat(secrets.getDuration("TIMEOUT")).isSameAs(old.get());

      mount.put("TIMEOUT", "18s");
      secrets.reload();
      assertThat(secrets.getDuration("TIMEOUT")).isEqualTo(Duration.ofSeconds(18));
      Await.until(Duration.ofSeconds(10), () -> {
        System.gc();
        return old.get() == null;
      }, () -> "the old Duration to be unreachable once its version was replaced");
    }
  }

  @Test
  void afterRemovalNoCacheEntryRemains() {
    Map<String, Object> files = new LinkedHashMap<>();
    files.put("TIMEOUT", "17s");
    files.put("OTHER", "o");
    try (MountedSecrets secrets = open(files)) {
      WeakReference<Duration> old = new WeakReference<>(secrets.getDuration("TIMEOUT"));
      mount.remove("TIMEOUT");
      secrets.reload();
      assertThat(secrets.snapshot().contains("TIMEOUT")).isFalse();
      Await.until(Duration.ofSeconds(10), () -> {
        System.gc();
        return old.get() == null;
      }, () -> "the removed key's Duration to be unreachable");
    }
  }

  @Test
  void aStaleSnapshotStillConvertsItsOwnValues() {
    try (MountedSecrets secrets = open("PORT", "1")) {
      SecretsSnapshot before = secrets.snapshot();
      mount.put("PORT", "2");
      secrets.reload();
      assertThat(secrets.getInt("PORT")).isEqualTo(2);
      assertThat(before.get("PORT")).isEqualTo("1");
    }
  }
}
