package io.github.mountedsecrets.spring.ssl;

import io.github.mountedsecrets.spring.actuate.HealthReport;
import io.github.mountedsecrets.tls.TlsStatus;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the SSL bundles' health indicator reports, on either Spring Boot line: for each bundle
 * the mount, the served certificate (subject, SHA-256 fingerprint, {@code notAfter}, days left,
 * whether it expires within the warning threshold), whether the mount's current material was
 * refused and why, and counters. Never a key or a password.
 *
 * <p>Status: {@code DOWN} while a bundle serves an expired certificate (clients refuse it);
 * otherwise {@code UP}, also while a refused generation keeps the previous material in service
 * or the certificate expires soon, which the details say.
 */
final class SslBundlesHealth {
  private final MountedSslBundles bundles;

  SslBundlesHealth(MountedSslBundles bundles) {
    this.bundles = bundles;
  }

  HealthReport report() {
    boolean expired = false;
    Map<String, Object> all = new LinkedHashMap<>();
    for (Map.Entry<String, TlsStatus> entry : bundles.statuses().entrySet()) {
      TlsStatus status = entry.getValue();
      expired |= status.expired();
      // Core's details, under the same keys as the Quarkus extension's health check.
      all.put(entry.getKey(), status.details());
    }
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("bundles", all);
    return new HealthReport(expired ? "DOWN" : "UP", details);
  }
}
