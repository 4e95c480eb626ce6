package io.github.mountedsecrets.quarkus.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.test.Await;
import io.github.mountedsecrets.test.EmbeddedDatabase;
import io.github.mountedsecrets.test.SecretsMount;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.credentials.CredentialsProvider;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A Quarkus application on a real, password-checking PostgreSQL serves queries from several
 * threads while the datasource's credentials rotate in the mount. No query may fail.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresMountResource.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CredentialsRotationUnderLoadTest {
  static final int ROTATIONS = 12;
  static final int THREADS = 4;
  static final Duration TIMEOUT = Duration.ofSeconds(20);
  static final String PROVIDER = "credentials.mounted-secrets.";

  @Inject
  QueryService queries;

  @Inject
  MountedSecrets secrets;

  @Inject
  MeterRegistry registry;

  @Inject
  @Named("mounted-secrets")
  CredentialsProvider provider;

  @TestHTTPResource("/q/health/ready")
  URI readiness;

  @Test
  @Order(1)
  void alternatingUsersRotateUnderLoadWithoutAFailedQuery() throws Exception {
    EmbeddedDatabase database = PostgresMountResource.database;
    SecretsMount mount = PostgresMountResource.mount;
    List<Long> switchMillis = new ArrayList<>();
    try (Load load = Load.start(queries, THREADS)) {
      String old = Await.until(TIMEOUT, load::lastUser, user -> !user.isEmpty(), "first query");
      for (int i = 1; i <= ROTATIONS; i++) {
        String next = "app_r" + i;
        String password = Canaries.next();
        database.createUser(next, password);
        long start = System.nanoTime();
        mount.publish(Map.of("DB_USER", next, "DB_PASSWORD", password));
        Await.until(TIMEOUT, load::lastUser, next::equals, "queries served as " + next);
        switchMillis.add((System.nanoTime() - start) / 1_000_000);
        String retired = old;
        Await.until(TIMEOUT, () -> database.sessions(retired) == 0,
            () -> "sessions of " + retired + " closed after the graceful flush");
        database.dropUser(retired);
        old = next;
      }
      assertThat(load.failures()).as("failed queries").isEmpty();
      assertThat(load.succeeded()).isGreaterThan(ROTATIONS * 10L);
    }
    JsonObject check = Health.mountedSecrets(Health.body(readiness));
    JsonObject data = check.getJsonObject("data");
    assertThat(check.getString("status")).isEqualTo("UP");
    assertThat(data.getString(PROVIDER + "state")).isEqualTo("IN_SYNC");
    assertThat(data.getJsonNumber(PROVIDER + "switches").longValue()).isGreaterThanOrEqualTo(ROTATIONS);
    Collections.sort(switchMillis);
    System.out.printf("rotation on disk to queries on new credentials: median %d ms, max %d ms%n",
        switchMillis.get(switchMillis.size() / 2), switchMillis.get(switchMillis.size() - 1));
  }

  @Test
  @Order(2)
  void mountChangingBeforeTheDatabaseAcceptsThePasswordFailsNoQuery() throws Exception {
    EmbeddedDatabase database = PostgresMountResource.database;
    SecretsMount mount = PostgresMountResource.mount;
    String user = secrets.get("DB_USER");
    try (Load load = Load.start(queries, THREADS)) {
      String password = Canaries.next();
      mount.publish(Map.of("DB_USER", user, "DB_PASSWORD", password));

      String retrying = Await.until(TIMEOUT, () -> Health.body(readiness),
          body -> data(body).getString(PROVIDER + "state", "").equals("RETRYING")
              && data(body).getJsonNumber(PROVIDER + "failedAttempts").longValue() >= 2,
          "new password refused at least twice");
      JsonObject check = Health.mountedSecrets(retrying);
      assertThat(check.getString("status")).isEqualTo("UP");
      assertThat(check.getJsonObject("data").getString(PROVIDER + "failureReason"))
          .contains("refused by the database").contains("SQLState 28P01");
      assertThat(retrying).doesNotContain(Canaries.PREFIX).doesNotContain(user);
      long servedWhileRetrying = load.succeeded();

      database.setPassword(user, password);
      Await.until(TIMEOUT, () -> Health.body(readiness),
          body -> data(body).getString(PROVIDER + "state", "").equals("IN_SYNC")
              && !data(body).containsKey(PROVIDER + "pendingRevision"),
          "new password accepted after a retry");
      long afterSwitch = load.succeeded();
      Await.until(TIMEOUT, load::succeeded, n -> n > afterSwitch + 200, "queries after the switch");

      assertThat(servedWhileRetrying).isPositive();
      assertThat(load.failures()).as("failed queries").isEmpty();
    }
  }

  @Test
  @Order(3)
  void healthAndMetricsReportTheMountWithoutValues() {
    String body = Health.body(readiness);
    JsonObject data = data(body);
    assertThat(data.getString("state")).isEqualTo("READY");
    assertThat(data.getString("layout")).isEqualTo("ATOMIC_WRITER");
    assertThat(data.getInt("keys")).isEqualTo(2);
    assertThat(data.getString("lastReloadResult")).isEqualTo("SUCCESS");
    // The same keys as the Spring Boot starter's health details: core's MountStatus.details().
    assertThat(data.keySet()).containsAll(secrets.status().details().keySet());
    assertThat(data.getBoolean("readable")).isTrue();
    assertThat(data.getBoolean("stale")).isFalse();
    assertThat(body).doesNotContain(Canaries.PREFIX).doesNotContain(secrets.get("DB_USER"));

    assertThat(registry.get("mounted.secrets.keys")
        .tag("mount", PostgresMountResource.mountDirectory().toString()).gauge().value())
        .isEqualTo(2.0);
    assertThat(registry.get("mounted.secrets.changes").functionCounter().count())
        .isGreaterThanOrEqualTo(ROTATIONS + 1);
  }

  /**
   * The canary test: every password of this class starts with {@link Canaries#PREFIX}; none
   * may appear in a log line (DEBUG included), the health output or an error message, and no
   * line the library logs may name a database user.
   */
  @Test
  @Order(4)
  void noSecretValueInLogsHealthOrErrors() throws Exception {
    String log = Files.readString(Path.of("target/quarkus-app.log"));
    assertThat(log).contains("switched to the credentials of revision")
        .contains("refused by the database")
        .doesNotContain(Canaries.PREFIX);
    for (String line : log.split("\n")) {
      if (line.contains("[io.git.mou")) {
        assertThat(line).doesNotContain("app_r");
      }
    }
    assertThat(Health.body(readiness)).doesNotContain(Canaries.PREFIX);

    List<Throwable> errors = new ArrayList<>();
    errors.add(catchThrowable(() -> secrets.get("DB_PASSWORDS")));
    errors.add(catchThrowable(() -> secrets.getInt("DB_PASSWORD")));
    // Not checked: SmallRye Config's own conversion error (SRCFG00039), which quotes the raw
    // value for every config source; the README says to use MountedSecrets' typed getters.
    errors.add(catchThrowable(() -> ConfigProvider.getConfig().getValue("DB_PASSWORDS", String.class)));
    errors.add(catchThrowable(() -> provider.getCredentials("orders")));
    for (Throwable error : errors) {
      assertThat(error).isNotNull();
      StringWriter trace = new StringWriter();
      error.printStackTrace(new PrintWriter(trace));
      assertThat(trace.toString()).doesNotContain(Canaries.PREFIX);
    }
  }

  private static JsonObject data(String body) {
    return Health.mountedSecrets(body).getJsonObject("data");
  }
}
