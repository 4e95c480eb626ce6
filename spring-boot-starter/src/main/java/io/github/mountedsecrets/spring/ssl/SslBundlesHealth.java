package io.github.mountedsecrets.spring.ssl;

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

  /** A status code and its details. */
  static final class Report {
    final String status;
    final Map<String, Object> details;

    Report(String status, Map<String, Object> details) {
      this.status = status;
      this.details = details;
    }
  }

  Report report() {
    boolean expired = false;
    Map<String, Object> all = new LinkedHashMap<>();
    for (Map.Entry<String, TlsStatus> entry : bundles.statuses().entrySet()) {
      TlsStatus status = entry.getValue();
      expired |= status.expired();
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("mount", status.directory().toString());
      details.put("state", status.state().toString());
      details.put("subject", status.subject());
      details.put("fingerprint", status.fingerprint());
      details.put("notAfter", status.notAfter().toString());
      details.put("daysLeft", Math.floor(status.daysLeft() * 10) / 10);
      details.put("expiringSoon", status.expiringSoon());
      details.put("expiryWarning", status.expiryWarning().toString());
      details.put("servedSince", status.servedSince().toString());
      details.put("updates", status.updates());
      details.put("rejections", status.rejections());
      status.lastRejection().ifPresent(reason -> details.put("lastRejection", reason));
      status.lastRejectedAt().ifPresent(at -> details.put("lastRejectedAt", at.toString()));
      all.put(entry.getKey(), details);
    }
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("bundles", all);
    return new Report(expired ? "DOWN" : "UP", details);
  }
}
