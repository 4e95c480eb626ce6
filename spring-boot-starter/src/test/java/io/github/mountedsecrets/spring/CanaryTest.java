package io.github.mountedsecrets.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.rotation.CredentialsRotation;
import io.github.mountedsecrets.rotation.RotationState;
import io.github.mountedsecrets.rotation.RotationStatus;
import io.github.mountedsecrets.spring.actuate.MountedSecretsEndpoint;
import io.github.mountedsecrets.spring.jdbc.DataSourceCredentialsRotations;
import io.github.mountedsecrets.test.Await;
import io.github.mountedsecrets.test.EmbeddedDatabase;
import io.github.mountedsecrets.test.Mount;
import io.github.mountedsecrets.test.SecretsMount;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.actuate.context.properties.ConfigurationPropertiesReportEndpoint;
import org.springframework.boot.actuate.env.EnvironmentEndpoint;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A secret value planted in the mount appears nowhere: not in logs (every logger at DEBUG,
 * the starter's and core's at TRACE), health, the endpoint, {@code /actuator/env} and
 * {@code /actuator/configprops} (values shown), metrics, status objects, or the
 * failure analysis of a failed startup, through startup, a refused rotation and an accepted
 * one.
 */
@ExtendWith(OutputCaptureExtension.class)
class CanaryTest {
  private static final String CANARY = "canary-" + UUID.randomUUID();
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  @Test
  void aSecretValueIsNeverShown(@Mount SecretsMount mount, CapturedOutput output) throws Exception {
    EmbeddedDatabase db = Databases.get();
    String user = Databases.newUser("canary");
    db.createUser(user, CANARY + "-db-1");
    mount.publish(files(user, CANARY + "-db-1"));
    StringBuilder shown = new StringBuilder();
    try (ConfigurableApplicationContext context = DataSourceRotationTest.run(mount.directory(),
        "logging.level.root=DEBUG", "logging.level.io.github.mountedsecrets=TRACE",
        "management.endpoints.web.exposure.include=health,mountedsecrets,env,configprops",
        "management.endpoint.env.show-values=always",
        "management.endpoint.configprops.show-values=always",
        "app.api-key=${API_KEY}")) {
      HikariDataSource dataSource = context.getBean(HikariDataSource.class);
      assertThat(DataSourceRotationTest.currentUser(dataSource)).isEqualTo(user);
      assertThat(context.getEnvironment().getProperty("app.api-key")).isEqualTo(CANARY + "-api");

      // The mount changes before the database accepts the new password, then it does.
      mount.publish(files(user, CANARY + "-db-2"));
      Await.until(TIMEOUT, () -> rotation(context).state() == RotationState.RETRYING,
          () -> "the refused password");
      shown.append(everythingShown(context));
      db.setPassword(user, CANARY + "-db-2");
      Await.until(TIMEOUT, () -> rotation(context).switches() == 1, () -> "the switch");
      assertThat(DataSourceRotationTest.currentUser(dataSource)).isEqualTo(user);
      shown.append(everythingShown(context));
    }
    assertThatThrownBy(() -> Apps.run(new Class<?>[] {Apps.WithoutDataSource.class, ReadsAMissingKey.class},
        "spring.config.import=mounted-secrets:" + mount.directory()))
        .satisfies(e -> shown.append(e).append(e.getCause()));
    Path missing = mount.directory().resolveSibling("missing");
    assertThatThrownBy(() -> Apps.run(new Class<?>[] {Apps.WithoutDataSource.class},
        "spring.config.import=mounted-secrets:" + missing));

    assertThat(output.toString())
        .contains("switched to the credentials of revision")
        .contains("refused by the database")
        .contains("APPLICATION FAILED TO START")
        .contains("No secret 'DB_PASSWORDS' in " + mount.directory() + "; did you mean 'DB_PASSWORD'?")
        .contains("does not exist")
        .doesNotContain(CANARY);
    assertThat(shown.toString()).contains("RETRYING", "DB_PASSWORD", "mounted.secrets.keys", "******")
        .doesNotContain(CANARY);
  }

  private static Map<String, Object> files(String user, String password) {
    Map<String, Object> files = new LinkedHashMap<>();
    files.put("DB_USER", user);
    files.put("DB_PASSWORD", password);
    files.put("API_KEY", CANARY + "-api");
    files.put("prod-db", "{\"username\":\"" + user + "\",\"password\":\"" + CANARY + "-json\"}");
    files.put("broken.json", "{\"password\":\"" + CANARY + "-broken\",");
    files.put("binary", (CANARY + "-binary\u00ff").getBytes(StandardCharsets.ISO_8859_1));
    return files;
  }

  private static RotationStatus rotation(ConfigurableApplicationContext context) {
    return DataSourceRotationTest.rotation(context);
  }

  private static String everythingShown(ConfigurableApplicationContext context) {
    StringBuilder shown = new StringBuilder();
    shown.append(BootLine.health(context)).append('\n');
    shown.append(context.getBean(MountedSecretsEndpoint.class).mounts()).append('\n');
    for (Meter meter : context.getBean(MeterRegistry.class).getMeters()) {
      shown.append(meter.getId());
      for (Measurement measurement : meter.measure()) {
        shown.append(' ').append(measurement);
      }
      shown.append('\n');
    }
    MountedSecrets secrets = context.getBean(MountedSecrets.class);
    shown.append(secrets).append(secrets.status()).append(secrets.snapshot());
    shown.append(context.getBean(DataSourceCredentialsRotations.class).statuses());
    shown.append(context.getEnvironment().getPropertySources());
    shown.append(ActuatorMaskingTest.dump(context.getBean(EnvironmentEndpoint.class).environment(null)));
    shown.append(ActuatorMaskingTest.dump(
        context.getBean(ConfigurationPropertiesReportEndpoint.class).configurationProperties()));
    return shown.toString();
  }

  @Configuration(proxyBeanMethods = false)
  static class ReadsAMissingKey {
    @Bean
    String password(MountedSecrets secrets) {
      return secrets.get("DB_PASSWORDS");
    }
  }
}
