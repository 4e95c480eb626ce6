package io.github.mountedsecrets.quarkus;

import java.util.Map;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

/**
 * Writes core's health details into a MicroProfile health response, which holds text, whole
 * numbers and booleans only.
 */
final class HealthData {
  private HealthData() {}

  /**
   * Adds one detail: a boolean or whole number as it is, a fraction ({@code daysLeft}) as text
   * so that it keeps its tenths, a map (invalid files) as one entry per name, anything else as
   * text.
   */
  static void put(HealthCheckResponseBuilder response, String name, Object value) {
    if (value instanceof Boolean) {
      response.withData(name, (Boolean) value);
    } else if (value instanceof Long || value instanceof Integer) {
      response.withData(name, ((Number) value).longValue());
    } else if (value instanceof Map) {
      ((Map<?, ?>) value).forEach((key, reason) ->
          response.withData(name + "." + key, String.valueOf(reason)));
    } else {
      response.withData(name, String.valueOf(value));
    }
  }
}
