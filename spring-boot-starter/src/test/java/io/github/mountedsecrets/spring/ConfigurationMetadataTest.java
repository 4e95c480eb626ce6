package io.github.mountedsecrets.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.JsonPath;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The configuration metadata that IDEs read: one entry for every option, each with a
 * description written the Spring Boot way and the defaults of core.
 */
class ConfigurationMetadataTest {
  private static final List<String> OPTIONS = List.of("directory", "poll-interval", "quiet-period",
      "watch", "flatten-json", "trim-trailing-newline", "max-file-size", "max-depth",
      "require-mount", "cache-maximum-size", "datasource.enabled", "datasource.username-key",
      "datasource.password-key", "datasource.initial-backoff", "datasource.max-backoff",
      "datasource.secret", "precedence", "value-injection.refresh", "ssl.bundle", "read-timeout",
      "max-json-keys-per-file", "max-json-keys", "max-json-depth", "metrics.enabled",
      "max-entries", "max-total-size");

  @Test
  void describesEveryOption() throws IOException {
    Map<String, Map<String, Object>> properties = properties();
    assertThat(properties.keySet()).containsAll(OPTIONS.stream()
        .map(option -> "mounted-secrets." + option).collect(Collectors.toList()));
    properties.forEach((name, property) -> {
      String description = (String) property.get("description");
      assertThat(description).as(name).isNotBlank().endsWith(".")
          .doesNotStartWith("The ").doesNotStartWith("A ").doesNotContain("{@");
      if ("java.lang.Boolean".equals(property.get("type"))) {
        assertThat(description).as(name).startsWith("Whether ");
      }
    });
  }

  @Test
  void showsCoreDefaults() throws IOException {
    Map<String, Map<String, Object>> properties = properties();
    assertThat(properties.get("mounted-secrets.directory").get("defaultValue")).isEqualTo("/mnt/secrets-store");
    assertThat(properties.get("mounted-secrets.poll-interval").get("defaultValue")).isEqualTo("30s");
    assertThat(properties.get("mounted-secrets.quiet-period").get("defaultValue")).isEqualTo("100ms");
    assertThat(properties.get("mounted-secrets.max-file-size").get("defaultValue")).isEqualTo("1MB");
    assertThat(properties.get("mounted-secrets.max-depth").get("defaultValue")).isEqualTo(8);
    assertThat(properties.get("mounted-secrets.max-entries").get("defaultValue")).isEqualTo(100000);
    assertThat(properties.get("mounted-secrets.max-total-size").get("defaultValue")).isEqualTo("64MB");
    assertThat(properties.get("mounted-secrets.cache-maximum-size").get("defaultValue")).isEqualTo(10000);
    assertThat(properties.get("mounted-secrets.require-mount").get("defaultValue")).isEqualTo(true);
    assertThat(properties.get("mounted-secrets.precedence").get("defaultValue")).isEqualTo("config-data");
    assertThat(properties.get("mounted-secrets.value-injection.refresh").get("defaultValue")).isEqualTo(true);
  }

  private static Map<String, Map<String, Object>> properties() throws IOException {
    try (InputStream json = ConfigurationMetadataTest.class
        .getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
      assertThat(json).as("generated metadata").isNotNull();
      List<Map<String, Object>> list = JsonPath.parse(json).read("$.properties");
      return list.stream().filter(p -> !((String) p.get("name")).startsWith("management."))
          .collect(Collectors.toMap(p -> (String) p.get("name"), p -> p));
    }
  }
}
