package io.github.mountedsecrets;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mountedsecrets.micrometer.MountedSecretsMetrics;
import io.github.mountedsecrets.test.Await;
import io.github.mountedsecrets.test.SecretsMount;
import io.github.mountedsecrets.test.SecretsMount.Layout;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A canary value planted in every kind of file the library handles must never show up in
 * anything it prints: logs at every level, exception messages and their causes, toString(),
 * status, events and meters.
 */
@Timeout(60)
class CanaryTest {
  private static final String CANARY = "CANARY-7f3a9c";
  /** Parts of the canary: a leak of a partial token (a parser's "Unrecognized token") counts. */
  private static final List<String> FRAGMENTS = List.of(CANARY, "CANARY", "7f3a9c");

  @TempDir Path temp;

  /** Everything printed, labelled by where it came from. */
  private final List<String> printed = new ArrayList<>();

  private void print(String where, Object text) {
    printed.add(where + ": " + text);
  }

  /** Calls a getter; records its result's absence and, if it throws, the whole cause chain. */
  private void attempt(String where, Supplier<?> call) {
    try {
      call.get();
    } catch (RuntimeException e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        print(where + " threw", t);
        for (Throwable suppressed : t.getSuppressed()) {
          print(where + " suppressed", suppressed);
        }
      }
      if (e instanceof SecretNotFoundException) {
        print(where + " closeMatches", ((SecretNotFoundException) e).closeMatches());
        print(where + " key", ((SecretNotFoundException) e).key());
      }
      if (e instanceof SecretFormatException) {
        print(where + " key", ((SecretFormatException) e).key());
      }
    }
  }

  private static byte[] invalidUtf8WithCanary() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.writeBytes(CANARY.getBytes(StandardCharsets.UTF_8));
    bytes.write(0xFF);
    bytes.writeBytes(CANARY.getBytes(StandardCharsets.UTF_8));
    return bytes.toByteArray();
  }

  private static Map<String, Object> files(String rotating, String brokenJson) {
    Map<String, Object> files = new LinkedHashMap<>();
    files.put("PLAIN", CANARY);
    files.put("PLAIN_NL", CANARY + "\n");
    files.put("prod-db", "{\"username\":\"" + CANARY + "\",\"password\":\"" + CANARY
        + "\",\"engine\":\"postgres\",\"host\":\"db.internal\",\"port\":5432,\"dbname\":\"orders\"}");
    files.put("bad-port-db", "{\"username\":\"app\",\"password\":\"pw\",\"port\":\"" + CANARY + "\"}");
    files.put("BIN", invalidUtf8WithCanary());
    files.put("broken-json", brokenJson);
    files.put("BIG", CANARY.repeat(20));
    files.put("ROTATING", rotating);
    files.put("NESTED/deep", CANARY);
    return files;
  }

  private static void deleteRecursively(Path path) throws IOException {
    Files.walkFileTree(path, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
        Files.delete(dir);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  @ParameterizedTest
  @EnumSource(Layout.class)
  void theCanaryIsPrintedNowhere(Layout layout) throws Exception {
    SecretsMount mount = SecretsMount.create(layout, temp.resolve("mount"))
        .publish(files("before-rotation", "{\"password\":\"" + CANARY + "\"}"));
    List<SecretsChangedEvent> events = new CopyOnWriteArrayList<>();
    MountedSecrets.Builder builder = MountedSecrets.builder().directory(mount.directory())
        .watch(false).pollInterval(Duration.ofHours(1)).quietPeriod(Duration.ofMillis(10))
        .maxFileSize(200);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    LogCapture logs = LogCapture.capture();
    try (logs; MountedSecrets secrets = builder.build()) {
      new MountedSecretsMetrics(secrets).bindTo(registry);
      secrets.onChange(events::add);

      // Control: the canary really is in what the library serves.
      assertThat(secrets.get("PLAIN")).isEqualTo(CANARY);
      assertThat(secrets.get("prod-db.password")).isEqualTo(CANARY);
      assertThat(secrets.get("broken-json.password")).isEqualTo(CANARY);
      assertThat(secrets.getBytes("BIN")).isEqualTo(invalidUtf8WithCanary());

      // Rotate: a value turns into the canary, the JSON file breaks on the canary itself.
      mount.publish(files(CANARY, "{\"password\": " + CANARY + "}"));
      secrets.reload();
      assertThat(secrets.get("ROTATING")).isEqualTo(CANARY);
      // Files written one by one keep the last good fields; a generation is served as written.
      assertThat(secrets.snapshot().find("broken-json.password")).isEqualTo(
          layout == Layout.FILE_BY_FILE ? java.util.Optional.of(CANARY) : java.util.Optional.empty());
      Await.until(Duration.ofSeconds(10), () -> !events.isEmpty(), () -> "a change event");

      List<String> keys = new ArrayList<>(secrets.snapshot().keys());
      keys.add("PLAINN");
      keys.add("prod-db.pasword");
      keys.add("missing");
      for (String key : keys) {
        attempt("get " + key, () -> secrets.get(key));
        attempt("find " + key, () -> secrets.find(key));
        attempt("getBytes " + key, () -> secrets.getBytes(key));
        attempt("getChars " + key, () -> secrets.getChars(key));
        attempt("getInt " + key, () -> secrets.getInt(key));
        attempt("getLong " + key, () -> secrets.getLong(key));
        attempt("getBoolean " + key, () -> secrets.getBoolean(key));
        attempt("getDuration " + key, () -> secrets.getDuration(key));
        attempt("getBase64Bytes " + key, () -> secrets.getBase64Bytes(key));
        attempt("version " + key, () -> secrets.snapshot().version(key));
        attempt("databaseCredentials " + key, () -> secrets.databaseCredentials(key));
        attempt("databaseCredentials PLAIN+" + key, () -> secrets.databaseCredentials("PLAIN", key));
        attempt("databaseCredentials " + key + "+PLAIN", () -> secrets.databaseCredentials(key, "PLAIN"));
      }
      DatabaseCredentials credentials = secrets.databaseCredentials("prod-db");
      assertThat(credentials.password()).isEqualTo(CANARY);
      print("credentials", credentials);
      print("credentials from keys", secrets.databaseCredentials("PLAIN", "PLAIN_NL"));
      print("credentials jdbcUrl", credentials.jdbcUrl());

      print("secrets", secrets);
      print("snapshot", secrets.snapshot());
      print("keys", secrets.snapshot().keys());
      for (SecretsChangedEvent event : events) {
        print("event", event);
        print("event keys", event.keys());
        print("event previous", event.previous());
        print("event current", event.current());
      }
      MountStatus status = secrets.status();
      print("status", status);
      print("status invalid files", status.invalidFiles());
      print("status failure reason", status.failureReason());
      print("builder", builder);

      // A failed reload and a mount that went away print, too.
      deleteRecursively(mount.directory());
      secrets.reload();
      print("status after the mount went away", secrets.status());
      print("failure reason", secrets.status().failureReason());
      print("secrets after the mount went away", secrets);

      for (Meter meter : registry.getMeters()) {
        print("meter id", meter.getId());
        print("meter tags", meter.getId().getTags());
        print("meter description", meter.getId().getDescription());
        for (Measurement measurement : meter.measure()) {
          print("meter value " + meter.getId().getName(), measurement);
        }
      }
    }
    // Closing logs "closed" at DEBUG: the capture saw every level.
    print("logs", logs.everything());
    assertThat(logs.everything()).contains("DEBUG", "INFO", "WARN",
        "file 'broken-json' is not valid JSON", "file 'BIG' is 260 bytes");

    assertThat(printed).hasSizeGreaterThan(100);
    for (String line : printed) {
      for (String fragment : FRAGMENTS) {
        assertThat(line).as("printed output").doesNotContain(fragment);
      }
    }
  }

  @Test
  void aListenerExceptionQuotingTheCanaryIsNotLoggedAtWarn() {
    SecretsMount mount = SecretsMount.atomicWriter(temp.resolve("mount")).publish(Map.of("KEY", "v1"));
    try (LogCapture logs = LogCapture.capture(); MountedSecrets secrets = MountedSecrets.builder()
        .directory(mount.directory()).watch(false).pollInterval(Duration.ofHours(1)).build()) {
      List<String> delivered = new CopyOnWriteArrayList<>();
      secrets.onChange(event -> {
        throw new IllegalStateException("could not use " + event.current().get("KEY"));
      });
      secrets.onChange(event -> delivered.add(event.current().get("KEY")));
      mount.put("KEY", CANARY);
      secrets.reload();
      Await.until(Duration.ofSeconds(10), () -> !delivered.isEmpty(), () -> "the second listener");
      assertThat(delivered).containsExactly(CANARY);
      assertThat(logs.warnings()).anyMatch(m -> m.contains("change listener")
          && m.contains(IllegalStateException.class.getName()));
      assertThat(logs.warnings()).noneMatch(m -> m.contains("CANARY") || m.contains("7f3a9c"));
    }
  }

  @Test
  void aListenerExceptionQuotingTheCanaryIsNotLoggedAtAnyLevel() {
    SecretsMount mount = SecretsMount.atomicWriter(temp.resolve("mount")).publish(Map.of("KEY", "v1"));
    try (LogCapture logs = LogCapture.capture(); MountedSecrets secrets = MountedSecrets.builder()
        .directory(mount.directory()).watch(false).pollInterval(Duration.ofHours(1)).build()) {
      secrets.onChange(event -> {
        throw new IllegalStateException("could not use " + event.current().get("KEY"));
      });
      mount.put("KEY", CANARY);
      secrets.reload();
      Await.until(Duration.ofSeconds(10), () -> logs.everything().contains("change listener"),
          () -> "the listener failure to be logged");
      assertThat(logs.everything()).doesNotContain("CANARY").doesNotContain("7f3a9c");
    }
  }
}
