package io.github.mountedsecrets.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.test.Mount;
import io.github.mountedsecrets.test.SecretsMount;
import io.github.mountedsecrets.test.SecretsMountExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.context.support.PropertySourcesPlaceholderConfigurer;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

/**
 * Secrets that look like placeholders ({@code ${...}}, as generated passwords can) come back
 * exactly through each of Spring's resolvers once the property source escaped them:
 * {@code Environment.getProperty}, {@code resolveRequiredPlaceholders} (another property's
 * {@code ${KEY}}), the bean factory's embedded value resolver ({@code @Value}) and Spring
 * Boot's {@code Binder} ({@code @ConfigurationProperties}). Random values over the characters
 * that matter to the parser, and the ones worth naming.
 */
@ExtendWith({SecretsMountExtension.class, OutputCaptureExtension.class})
@Timeout(120)
class PlaceholderEscapingTest {
  private static final String ALPHABET = "${}\\:a#";

  @Test
  void everyValueComesBackExactlyThroughEveryResolver() {
    List<String> values = new ArrayList<>(List.of("", "plain", "ab${cd}ef", "x${HOME}y",
        "p\\${q}r", "x${y", "x\\${y", "${a${b}}", "${a{b}", "${a{b}c}", "end\\", "${}", "$${x}",
        "${x:default}", "}{${", "${${${}}}", "a}b{c${d", "\\\\${e}", "${f}\\"));
    Random random = new Random(20261202);
    for (int i = 0; i < 20_000; i++) {
      StringBuilder value = new StringBuilder();
      for (int n = random.nextInt(15); n > 0; n--) {
        value.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
      }
      values.add(value.toString());
    }
    Map<String, Object> properties = new HashMap<>();
    StandardEnvironment environment = new StandardEnvironment();
    environment.getPropertySources().addFirst(new MapPropertySource("mount", properties));
    ConfigurationPropertySources.attach(environment);
    DefaultListableBeanFactory beans = new DefaultListableBeanFactory();
    PropertySourcesPlaceholderConfigurer placeholders = new PropertySourcesPlaceholderConfigurer();
    placeholders.setEnvironment(environment);
    placeholders.postProcessBeanFactory(beans);
    Binder binder = Binder.get(environment);

    List<String> wrong = new ArrayList<>();
    for (String value : values) {
      properties.put("secret", MountedSecretsPropertySource.escapePlaceholders(value));
      check(wrong, value, "getProperty", () -> environment.getProperty("secret"));
      check(wrong, value, "${secret}", () -> environment.resolveRequiredPlaceholders("${secret}"));
      check(wrong, value, "@Value", () -> beans.resolveEmbeddedValue("${secret}"));
      check(wrong, value, "Binder", () -> binder.bind("secret", String.class).orElse(""));
    }
    assertThat(wrong).as("values that did not come back exactly").isEmpty();
  }

  /**
   * A real application: mounted secrets that look like placeholders reach the environment,
   * other properties' placeholders, {@code @Value} and {@code @ConfigurationProperties}
   * exactly; none is resolved (the mount cannot pull in another property's value), and no
   * lookup fails quoting the secret.
   */
  @Test
  void placeholderLikeSecretsReachTheApplicationExactly(@Mount SecretsMount mount,
      CapturedOutput output) {
    String password = "CANARY-ab${cd}ef";
    String apiKey = "CANARY-${spring.application.name}-${HOME}";
    String escape = "CANARY-p\\${q}r";
    mount.publish(Map.of("DB_PASSWORD", password, "API_KEY", apiKey, "ESCAPE", escape,
        "prod-db", "{\"username\":\"app\",\"password\":\"CANARY-db${zz}pw\"}"));
    try (ConfigurableApplicationContext context = Apps.run(
        new Class<?>[] {Apps.WithoutDataSource.class, Beans.class},
        "spring.config.import=mounted-secrets:" + mount.directory(),
        "spring.application.name=orders", "app.password=${DB_PASSWORD}",
        "app.api-key=${API_KEY}", "app.escape=${ESCAPE}",
        "app.db-password=${prod-db.password}")) {
      Environment environment = context.getEnvironment();
      assertThat(environment.getProperty("DB_PASSWORD")).isEqualTo(password);
      assertThat(environment.getProperty("API_KEY")).isEqualTo(apiKey);
      assertThat(environment.getProperty("ESCAPE")).isEqualTo(escape);
      assertThat(environment.getProperty("prod-db.password")).isEqualTo("CANARY-db${zz}pw");
      Injected injected = context.getBean(Injected.class);
      assertThat(injected.password).isEqualTo(password);
      assertThat(injected.apiKey).isEqualTo(apiKey);
      AppProperties app = context.getBean(AppProperties.class);
      assertThat(app.getPassword()).isEqualTo(password);
      assertThat(app.getApiKey()).isEqualTo(apiKey);
      assertThat(app.getEscape()).isEqualTo(escape);
      assertThat(app.getDbPassword()).isEqualTo("CANARY-db${zz}pw");
    }
    assertThat(output.getAll()).doesNotContain("CANARY");
  }

  @Test
  void aHugeValueOfPlaceholderStartsIsEscapedInLinearTime() {
    // 1 MiB (the default maxFileSize) of "${": a scan from each start to the end would be
    // quadratic. None has an end, so nothing changes.
    String value = "${".repeat(512 * 1024);
    assertThat(MountedSecretsPropertySource.escapePlaceholders(value)).isEqualTo(value);
    String closed = "${".repeat(256 * 1024) + "}".repeat(256 * 1024);
    assertThat(MountedSecretsPropertySource.escapePlaceholders(closed))
        .hasSize(closed.length() + 256 * 1024);
  }

  /**
   * Spring's parser copies the text around each placeholder start, so a value with many costs
   * its length times their number at each lookup: past MAX_RESOLUTION_COST it is not served as
   * a property (and said once, by key name), rather than holding lookups for minutes.
   */
  @Test
  void aValueTooCostlyToResolveIsNotServedAndSaidOnce(@Mount SecretsMount mount,
      CapturedOutput output) {
    String costly = "CANARY" + "${a}".repeat(64 * 1024); // 64 Ki starts x 256 KiB
    String cheap = "CANARY-" + "${a}".repeat(3);
    mount.publish(Map.of("COSTLY", costly, "CHEAP", cheap));
    try (MountedSecrets secrets = MountedSecrets.builder().directory(mount.directory())
        .watch(false).pollInterval(java.time.Duration.ofHours(1)).build()) {
      MountedSecretsPropertySource source = new MountedSecretsPropertySource(secrets);
      assertThat(source.getProperty("COSTLY")).isNull();
      assertThat(source.getProperty("COSTLY")).isNull();
      assertThat(source.value("COSTLY")).isEqualTo(costly);
      assertThat(source.getProperty("CHEAP"))
          .isEqualTo(MountedSecretsPropertySource.escapePlaceholders(cheap));
      // Exactly at the bound it is served; one start more and it is not.
      int length = (int) Math.sqrt(MountedSecretsPropertySource.MAX_RESOLUTION_COST / 4.0) * 4;
      String atBound = "${a}".repeat(length / 4);
      assertThat((long) (length / 4) * atBound.length())
          .isLessThanOrEqualTo(MountedSecretsPropertySource.MAX_RESOLUTION_COST);
      mount.put("AT_BOUND", atBound);
      mount.put("PAST_BOUND", atBound + "${a}".repeat(length / 8));
      secrets.reload();
      assertThat(source.getProperty("AT_BOUND")).isNotNull();
      assertThat(source.getProperty("PAST_BOUND")).isNull();
    }
    long warnings = output.getAll().lines().filter(line -> line.contains("key 'COSTLY' holds"))
        .count();
    assertThat(warnings).isEqualTo(1);
    assertThat(output.getAll()).contains("Read it with MountedSecrets.get(\"COSTLY\")")
        .doesNotContain("CANARY");
  }

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties(AppProperties.class)
  static class Beans {
    @Bean
    Injected injected() {
      return new Injected();
    }
  }

  static class Injected {
    @Value("${DB_PASSWORD}")
    String password;

    @Value("${app.api-key}")
    String apiKey;
  }

  @ConfigurationProperties("app")
  static class AppProperties {
    private String password;
    private String apiKey;
    private String escape;
    private String dbPassword;

    public String getPassword() {
      return password;
    }

    public void setPassword(String password) {
      this.password = password;
    }

    public String getApiKey() {
      return apiKey;
    }

    public void setApiKey(String apiKey) {
      this.apiKey = apiKey;
    }

    public String getEscape() {
      return escape;
    }

    public void setEscape(String escape) {
      this.escape = escape;
    }

    public String getDbPassword() {
      return dbPassword;
    }

    public void setDbPassword(String dbPassword) {
      this.dbPassword = dbPassword;
    }
  }

  @Test
  void aValueWithoutAPlaceholderStartIsServedAsItIs() {
    String value = "no placeholder {here} \\ $ }";
    assertThat(MountedSecretsPropertySource.escapePlaceholders(value)).isSameAs(value);
  }

  private static void check(List<String> wrong, String value, String resolver,
      java.util.function.Supplier<String> resolved) {
    try {
      String result = resolved.get();
      if (!value.equals(result)) {
        wrong.add(resolver + ": [" + value + "] came back as [" + result + "]");
      }
    } catch (RuntimeException e) {
      wrong.add(resolver + ": [" + value + "] threw " + e.getClass().getSimpleName());
    }
  }
}
