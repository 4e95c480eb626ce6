package io.github.mountedsecrets.spring.actuate;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The health indicator on Spring Boot 4, where the health API lives in
 * {@code spring-boot-health} ({@code org.springframework.boot.health.contributor}).
 */
final class MountedSecretsHealthIndicator implements HealthIndicator {
  private final MountedSecretsHealth health;

  MountedSecretsHealthIndicator(MountedSecretsHealth health) {
    this.health = health;
  }

  @Override
  public Health health() {
    HealthReport report = health.report();
    return Health.status(report.status()).withDetails(report.details()).build();
  }
}
