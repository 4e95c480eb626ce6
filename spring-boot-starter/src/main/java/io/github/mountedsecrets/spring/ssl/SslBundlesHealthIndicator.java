package io.github.mountedsecrets.spring.ssl;

import io.github.mountedsecrets.spring.actuate.HealthReport;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/** The SSL bundles' health indicator on Spring Boot 4 ({@code spring-boot-health}). */
final class SslBundlesHealthIndicator implements HealthIndicator {
  private final SslBundlesHealth health;

  SslBundlesHealthIndicator(SslBundlesHealth health) {
    this.health = health;
  }

  @Override
  public Health health() {
    HealthReport report = health.report();
    return Health.status(report.status()).withDetails(report.details()).build();
  }
}
