package io.github.mountedsecrets.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mountedsecrets.test.Mount;
import io.github.mountedsecrets.test.SecretsMount;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.actuate.context.properties.ConfigurationPropertiesReportEndpoint;
import org.springframework.boot.actuate.env.EnvironmentEndpoint;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

/**
 * {@code /actuator/env} and {@code /actuator/configprops}, through Spring Boot's own endpoint
 * beans in a running application, never show a value of the mount, whatever
 * {@code show-values} says (only {@code always} and {@code when-authorized} show any value):
 * neither the mount's own properties nor properties that reach them through placeholders.
 * Other values are still shown, and each mount property names its file as its origin.
 */
class ActuatorMaskingTest {
  private static final String CANARY = "canary-" + UUID.randomUUID();

  @ParameterizedTest
  @ValueSource(strings = {"always", "when-authorized"})
  void theEndpointsMaskEveryValueOfTheMount(String showValues, @Mount SecretsMount mount) {
    mount.publish(Map.of("API_KEY", CANARY + "-api", "prod-db",
        "{\"username\":\"" + CANARY + "-user\",\"password\":\"" + CANARY + "-json\"}"));
    try (ConfigurableApplicationContext context = Apps.run(
        new Class<?>[] {Apps.WithoutDataSource.class, Beans.class},
        "spring.config.import=mounted-secrets:" + mount.directory(),
        "management.endpoints.web.exposure.include=env,configprops",
        "management.endpoint.env.show-values=" + showValues,
        "management.endpoint.configprops.show-values=" + showValues,
        "app.api-key=${API_KEY}", "app.copy=${app.api-key}", "app.plain=visible-value",
        "app.user=${prod-db.username:none}")) {
      String env = dump(context.getBean(EnvironmentEndpoint.class).environment(null));
      String configprops = dump(context.getBean(ConfigurationPropertiesReportEndpoint.class)
          .configurationProperties());
      String entry = dump(context.getBean(EnvironmentEndpoint.class).environmentEntry("API_KEY"));

      assertThat(missing(env, "API_KEY", "prod-db.password", "app.api-key", "visible-value",
          "******", "secret file [" + mount.directory().resolve("API_KEY") + "]",
          "field 'password' of secret file [" + mount.directory().resolve("prod-db") + "]"))
          .isEmpty();
      assertThat(missing(configprops, "apiKey", "copy", "user", "visible-value", "******")).isEmpty();
      assertThat(missing(entry, "******")).isEmpty();
      assertThat(around(env + configprops + entry, CANARY)).as("a canary value shown").isEmpty();
    }
  }

  /** The lines that contain a text, each with the line before it (its name). */
  private static List<String> around(String shown, String text) {
    List<String> lines = Arrays.asList(shown.split("\n"));
    List<String> found = new java.util.ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains(text)) {
        found.add((i > 0 ? lines.get(i - 1) : "") + " => (the canary)");
      }
    }
    return found;
  }

  private static List<String> missing(String shown, String... expected) {
    return Arrays.stream(expected).filter(e -> !shown.contains(e)).collect(Collectors.toList());
  }

  /** Every text reachable through the public getters of the endpoints' descriptors. */
  static String dump(Object descriptor) {
    StringBuilder out = new StringBuilder();
    dump(descriptor, out, Collections.newSetFromMap(new IdentityHashMap<>()), 0);
    return out.toString();
  }

  private static void dump(Object value, StringBuilder out, Set<Object> seen, int depth) {
    if (value == null || depth > 30) {
      return;
    }
    if (value instanceof CharSequence || value instanceof Number || value instanceof Boolean
        || value instanceof Enum) {
      out.append(value).append('\n');
      return;
    }
    if (!seen.add(value)) {
      return;
    }
    if (value instanceof Map) {
      for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
        dump(e.getKey(), out, seen, depth + 1);
        dump(e.getValue(), out, seen, depth + 1);
      }
    } else if (value instanceof Iterable) {
      for (Object element : (Iterable<?>) value) {
        dump(element, out, seen, depth + 1);
      }
    } else if (value instanceof Object[]) {
      for (Object element : (Object[]) value) {
        dump(element, out, seen, depth + 1);
      }
    } else if (value instanceof Optional) {
      dump(((Optional<?>) value).orElse(null), out, seen, depth + 1);
    } else if (value.getClass().getName().startsWith("org.springframework.boot.")) {
      for (Method method : value.getClass().getMethods()) {
        if (method.getParameterCount() == 0 && !Modifier.isStatic(method.getModifiers())
            && method.getDeclaringClass() != Object.class
            && (method.getName().startsWith("get") || method.getName().startsWith("is"))) {
          try {
            dump(method.invoke(value), out, seen, depth + 1);
          } catch (ReflectiveOperationException e) {
            throw new AssertionError("cannot read " + method, e);
          }
        }
      }
    } else {
      out.append(value).append('\n');
    }
  }

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties(App.class)
  static class Beans {}

  @ConfigurationProperties("app")
  static class App {
    private String apiKey;
    private String copy;
    private String plain;
    private String user;

    public String getApiKey() {
      return apiKey;
    }

    public void setApiKey(String apiKey) {
      this.apiKey = apiKey;
    }

    public String getCopy() {
      return copy;
    }

    public void setCopy(String copy) {
      this.copy = copy;
    }

    public String getPlain() {
      return plain;
    }

    public void setPlain(String plain) {
      this.plain = plain;
    }

    public String getUser() {
      return user;
    }

    public void setUser(String user) {
      this.user = user;
    }
  }
}
