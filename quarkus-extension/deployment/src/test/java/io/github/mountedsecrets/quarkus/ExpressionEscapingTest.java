package io.github.mountedsecrets.quarkus;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.common.MapBackedConfigSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.junit.jupiter.api.Test;

/**
 * Secrets that look like SmallRye expressions ({@code ${...}}, {@code $$}, backslash-dollar; a
 * generated password can hold any) come back exactly through SmallRye Config's own expansion
 * once the config source escaped them: by name, and through {@code ${KEY}} in another
 * property. Random values over the characters that matter to the expansion, and named ones.
 */
class ExpressionEscapingTest {
  private static final String ALPHABET = "${}\\:a";

  /** A source whose one value the test sets, escaped as the mount's source serves it. */
  private static final class OneSecret implements ConfigSource {
    volatile String value = "";

    @Override
    public Set<String> getPropertyNames() {
      return Set.of("secret");
    }

    @Override
    public String getValue(String propertyName) {
      return "secret".equals(propertyName) ? MountedSecretsConfigSource.escapeExpressions(value)
          : null;
    }

    @Override
    public String getName() {
      return "one-secret";
    }
  }

  @Test
  void everyValueComesBackExactlyByNameAndThroughAnotherProperty() {
    List<String> values = new ArrayList<>(List.of("plain", "ab${cd}ef", "p$$q", "x\\$y",
        "h${HOME}h", "lone$", "$", "\\", "\\$", "\\\\$", "$\\", "${x:default}", "${a::b}",
        "$${x}", "\\${x}", "${${x}}", "$}{$"));
    Random random = new Random(20261202);
    while (values.size() < 20_000) {
      StringBuilder value = new StringBuilder();
      for (int n = 1 + random.nextInt(14); n > 0; n--) {
        value.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
      }
      values.add(value.toString());
    }
    OneSecret secret = new OneSecret();
    SmallRyeConfig config = new SmallRyeConfigBuilder().addDefaultInterceptors()
        .withSources(secret, new MapBackedConfigSource("application", Map.of("other",
            "[${secret}]")) {})
        .build();
    List<String> wrong = new ArrayList<>();
    for (String value : values) {
      secret.value = value;
      check(wrong, value, "by name", () -> config.getValue("secret", String.class), value);
      check(wrong, value, "${secret}", () -> config.getValue("other", String.class),
          "[" + value + "]");
    }
    assertThat(wrong).as("values that did not come back exactly").isEmpty();
  }

  @Test
  void aValueWithoutADollarIsServedAsItIs() {
    String value = "no dollar {here} \\ }";
    assertThat(MountedSecretsConfigSource.escapeExpressions(value)).isSameAs(value);
  }

  private static void check(List<String> wrong, String value, String how,
      java.util.function.Supplier<String> lookup, String expected) {
    try {
      String result = lookup.get();
      if (!expected.equals(result)) {
        wrong.add(how + ": [" + value + "] came back as [" + result + "]");
      }
    } catch (RuntimeException e) {
      wrong.add(how + ": [" + value + "] threw " + e.getClass().getSimpleName());
    }
  }
}
