package io.github.mountedsecrets.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.mountedsecrets.test.Mount;
import io.github.mountedsecrets.test.SecretsMount;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;

/**
 * A mount value that fails to convert (bound to an {@code int}, a {@code Duration}) is not
 * quoted in the report of the failed start, which Spring's own analysis would do
 * ({@code For input string: "..."}); the report still names the property and the reason. A
 * value that does not come from the mount is reported by Spring as before.
 */
@ExtendWith(OutputCaptureExtension.class)
class ConversionFailureCanaryTest {
  private static final String CANARY = "canary-" + UUID.randomUUID();
  private static final String REPORT = "APPLICATION FAILED TO START";

  private static String report(CapturedOutput output) {
    String all = output.toString();
    assertThat(all).contains(REPORT);
    return all.substring(all.indexOf(REPORT));
  }

  @Test
  void aMountValueBoundToAnIntIsNotQuoted(@Mount SecretsMount mount, CapturedOutput output) {
    mount.publish(Map.of("DB_PASSWORD", CANARY, "db", "{\"port\":\"" + CANARY + "-json\"}"));
    assertThatThrownBy(() -> Apps.run(new Class<?>[] {Apps.WithoutDataSource.class, Props.class},
        "spring.config.import=mounted-secrets:" + mount.directory(), "probe.port=${DB_PASSWORD}",
        "probe.timeout=${db.port}"));
    String report = report(output);
    assertThat(report).contains("A value from the secrets mount could not be converted for "
        + "'probe.", "the value is not shown", "java.lang.NumberFormatException",
        "bind the property to a String");
    // Nowhere in the whole output: the context's own WARN line does not quote bound values.
    assertThat(output.toString()).doesNotContain(CANARY);
  }

  /**
   * Spring quotes a value in forms no masking would catch: cut to 100 characters, or with its
   * spaces removed (numbers) or trimmed (enums). None of them appears.
   */
  @Test
  void longValuesAndValuesSpringRewritesAreNotQuotedEither(@Mount SecretsMount mount,
      CapturedOutput output) {
    String longToken = CANARY + "-" + "x".repeat(120);
    String spaced = "correct horse " + CANARY.substring(7, 19) + " staple";
    mount.publish(Map.of("TOKEN", longToken, "PHRASE", spaced));
    assertThatThrownBy(() -> Apps.run(new Class<?>[] {Apps.WithoutDataSource.class, Props.class},
        "spring.config.import=mounted-secrets:" + mount.directory(), "probe.port=${TOKEN}"));
    assertThatThrownBy(() -> Apps.run(new Class<?>[] {Apps.WithoutDataSource.class, Props.class},
        "spring.config.import=mounted-secrets:" + mount.directory(), "probe.port=${PHRASE}"));
    assertThat(output.toString()).contains("to int").doesNotContain(CANARY.substring(0, 20))
        .doesNotContain(spaced.replace(" ", "")).doesNotContain("correcthorse");
  }

  @Test
  void aMountValueInsideALongerValueIsNotQuoted(@Mount SecretsMount mount, CapturedOutput output) {
    mount.publish(Map.of("DB_PORT", CANARY));
    assertThatThrownBy(() -> Apps.run(new Class<?>[] {Apps.WithoutDataSource.class, Props.class},
        "spring.config.import=mounted-secrets:" + mount.directory(),
        "probe.timeout=1${DB_PORT}s"));
    assertThat(report(output)).contains("for 'probe.timeout'", "java.time.Duration");
    assertThat(output.toString()).doesNotContain(CANARY);
  }

  @Test
  void aValueFieldKeepsTheMountValueOutOfTheReport(@Mount SecretsMount mount,
      CapturedOutput output) {
    mount.publish(Map.of("DB_PASSWORD", CANARY));
    assertThatThrownBy(() -> Apps.run(new Class<?>[] {Apps.WithoutDataSource.class, Injected.class},
        "spring.config.import=mounted-secrets:" + mount.directory()));
    assertThat(report(output)).contains("for 'port' to int", "TypeMismatchException")
        .doesNotContain(CANARY);
    // No stack trace of the failure at ERROR ("Application run failed").
    assertThat(output.toString()).doesNotContain("Application run failed");
  }

  @Test
  void aValueFromElsewhereIsReportedBySpringAsBefore(@Mount SecretsMount mount,
      CapturedOutput output) {
    mount.publish(Map.of("DB_USER", "app"));
    assertThatThrownBy(() -> Apps.run(new Class<?>[] {Apps.WithoutDataSource.class, Props.class},
        "spring.config.import=mounted-secrets:" + mount.directory(), "probe.port=not-app-a-number"));
    assertThat(report(output)).contains("Failed to bind properties under 'probe.port'",
        "not-app-a-number").doesNotContain("secrets mount");
  }

  @ConfigurationProperties("probe")
  public static class ProbeProperties {
    private int port;
    private Duration timeout;

    public int getPort() {
      return port;
    }

    public void setPort(int port) {
      this.port = port;
    }

    public Duration getTimeout() {
      return timeout;
    }

    public void setTimeout(Duration timeout) {
      this.timeout = timeout;
    }
  }

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties(ProbeProperties.class)
  static class Props {}

  @Configuration(proxyBeanMethods = false)
  static class Injected {
    @Value("${DB_PASSWORD}")
    int port;
  }
}
