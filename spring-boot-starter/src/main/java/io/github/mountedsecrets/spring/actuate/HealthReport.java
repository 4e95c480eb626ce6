package io.github.mountedsecrets.spring.actuate;

import java.util.Map;

/**
 * What one of the starter's health indicators reports, before it is turned into the health
 * type of the Spring Boot line in use (4.x directly, 3.5 through
 * {@link Boot3HealthIndicatorFactoryBean}).
 *
 * @param status the status code, {@code UP} or {@code DOWN}
 * @param details the details: names, states and dates, never a secret value
 */
public record HealthReport(String status, Map<String, Object> details) {
}
