package io.github.mountedsecrets.rotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.mountedsecrets.DatabaseCredentials;
import io.github.mountedsecrets.LogCapture;
import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.SecretNotFoundException;
import io.github.mountedsecrets.test.Await;
import io.github.mountedsecrets.test.SecretsMount;
import io.github.mountedsecrets.test.EmbeddedDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Credentials rotation against a real PostgreSQL server. */
@Timeout(120)
class CredentialsRotationTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static EmbeddedDatabase database;
  private static String url;

  @TempDir Path temp;

  @BeforeAll
  static void startDatabase() {
    database = EmbeddedDatabase.start();
    url = database.jdbcUrl();
  }

  @AfterAll
  static void stopDatabase() {
    if (database != null) {
      database.close();
    }
  }

  private static Map<String, Object> pair(String user, String password) {
    return Map.of("DB_USER", user, "DB_PASSWORD", password,
        "prod-db", "{\"username\":\"" + user + "\",\"password\":\"" + password + "\"}");
  }

  @Test
  void switchesOnlyAfterTheDatabaseAcceptsTheNewPair() throws Exception {
    database.createUser("rot_blue", "CANARY-blue-1");
    database.createUser("rot_green", "CANARY-green-1");
    SecretsMount mount = SecretsMount.atomicWriter(temp.resolve("m"))
        .publish(pair("rot_blue", "CANARY-blue-1"));
    List<DatabaseCredentials> applied = new CopyOnWriteArrayList<>();
    try (LogCapture logs = LogCapture.capture();
        MountedSecrets secrets = MountedSecrets.builder().directory(mount.directory()).build();
        CredentialsRotation rotation = CredentialsRotation.builder(secrets)
            .name("orders")
            .keys("DB_USER", "DB_PASSWORD")
            .verifier(CredentialsRotation.jdbcVerifier(url))
            .applier(applied::add)
            .initialBackoff(Duration.ofMillis(100))
            .maxBackoff(Duration.ofMillis(400))
            .build()) {
      assertThat(rotation.current().username()).isEqualTo("rot_blue");

      // Alternating users: the new user exists before the mount changes.
      mount.publish(pair("rot_green", "CANARY-green-1"));
      // The status is published last, after current() and the applier: wait on it.
      Await.until(WAIT, () -> rotation.status().switches() == 1, () -> "switch to green");
      assertThat(rotation.current().username()).isEqualTo("rot_green");
      assertThat(applied).extracting(DatabaseCredentials::username).containsExactly("rot_green");
      assertThat(rotation.status().state()).isEqualTo(RotationState.IN_SYNC);
      assertThat(rotation.status().switches()).isEqualTo(1);

      // The mount changes before the database accepts the new password.
      mount.publish(pair("rot_blue", "CANARY-blue-2"));
      Await.until(WAIT, () -> rotation.status().state() == RotationState.RETRYING,
          () -> "refused and retrying");
      assertThat(rotation.current().username()).isEqualTo("rot_green");
      assertThat(rotation.status().failureReason()).hasValueSatisfying(reason -> assertThat(reason)
          .contains("refused by the database").contains("SQLState 28P01")
          .doesNotContain("rot_blue").doesNotContain("CANARY"));
      Await.until(WAIT, () -> rotation.status().failedAttempts() >= 3, () -> "retries with backoff");

      database.setPassword("rot_blue", "CANARY-blue-2");
      Await.until(WAIT, () -> rotation.status().switches() == 2,
          () -> "switch after the database accepted");
      assertThat(rotation.current().username()).isEqualTo("rot_blue");
      assertThat(rotation.current().password()).isEqualTo("CANARY-blue-2");
      assertThat(rotation.status().state()).isEqualTo(RotationState.IN_SYNC);
      assertThat(rotation.status().failureReason()).isEmpty();
      assertThat(applied).hasSize(2);

      String printed = logs.everything() + rotation + rotation.status() + rotation.current();
      assertThat(printed).doesNotContain("CANARY").doesNotContain("rot_blue").doesNotContain("rot_green");
      assertThat(logs.warnings()).anyMatch(m -> m.startsWith(mount.directory() + ": orders: new credentials"));
    }
  }

  @Test
  void readsAJsonSecretAndStopsItsThreadOnClose() throws Exception {
    database.createUser("rot_json", "pw-json");
    SecretsMount mount = SecretsMount.fileByFile(temp.resolve("m")).publish(pair("rot_json", "pw-json"));
    try (MountedSecrets secrets = MountedSecrets.builder().directory(mount.directory()).build()) {
      CredentialsRotation rotation = CredentialsRotation.builder(secrets).jsonSecret("prod-db")
          .verifier(CredentialsRotation.jdbcVerifier(url)).applier(c -> { }).build();
      assertThat(rotation.current().username()).isEqualTo("rot_json");
      rotation.close();
      Await.until(WAIT, () -> Thread.getAllStackTraces().keySet().stream()
          .noneMatch(t -> t.getName().equals("mounted-secrets-rotation[dataSource]")), () -> "thread gone");
    }
  }

  @Test
  void theNewPairIsHandedOutDuringTheSwitchAndWithdrawnIfTheSwitchFails() throws Exception {
    database.createUser("rot_apply_a", "pw-a");
    database.createUser("rot_apply_b", "pw-b");
    SecretsMount mount = SecretsMount.atomicWriter(temp.resolve("m")).publish(pair("rot_apply_a", "pw-a"));
    java.util.concurrent.atomic.AtomicReference<CredentialsRotation> self = new java.util.concurrent.atomic.AtomicReference<>();
    List<String> seenDuringApply = new CopyOnWriteArrayList<>();
    java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
    try (MountedSecrets secrets = MountedSecrets.builder().directory(mount.directory()).build();
        CredentialsRotation rotation = CredentialsRotation.builder(secrets)
            .keys("DB_USER", "DB_PASSWORD")
            .verifier(CredentialsRotation.jdbcVerifier(url))
            .applier(c -> {
              seenDuringApply.add(self.get().current().username());
              if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("pool busy");
              }
            })
            .initialBackoff(Duration.ofSeconds(3))
            .build()) {
      self.set(rotation);
      mount.publish(pair("rot_apply_b", "pw-b"));
      Await.until(WAIT, () -> rotation.status().state() == RotationState.RETRYING,
          () -> "first apply failed");
      assertThat(rotation.current().username()).as("withdrawn after the failed switch").isEqualTo("rot_apply_a");
      assertThat(rotation.status().failureReason()).hasValueSatisfying(r ->
          assertThat(r).contains("could not be applied to the pool").contains("IllegalStateException"));
      Await.until(WAIT, () -> rotation.status().state() == RotationState.IN_SYNC,
          () -> "switch on the retry");
      // Both attempts handed the verified pair out before the pool was switched.
      assertThat(seenDuringApply).containsExactly("rot_apply_b", "rot_apply_b");
      assertThat(rotation.current().username()).isEqualTo("rot_apply_b");
      assertThat(rotation.status().switches()).isEqualTo(1);
    }
  }

  @Test
  void builderNamesWhatIsMissing() throws Exception {
    SecretsMount mount = SecretsMount.atomicWriter(temp.resolve("m")).publish(Map.of("A", "1"));
    try (MountedSecrets secrets = MountedSecrets.builder().directory(mount.directory()).build()) {
      assertThatThrownBy(() -> CredentialsRotation.builder(secrets).build())
          .hasMessageContaining("jsonSecret(key) or keys(usernameKey, passwordKey)");
      assertThatThrownBy(() -> CredentialsRotation.builder(secrets).keys("DB_USER", "DB_PASSWORD")
          .verifier(c -> { }).applier(c -> { }).build())
          .isInstanceOf(SecretNotFoundException.class)
          .hasMessageContaining("'DB_USER'");
      assertThatThrownBy(() -> CredentialsRotation.builder(secrets).initialBackoff(Duration.ZERO))
          .hasMessage("initialBackoff must be positive, but was PT0S");
    }
  }
}
