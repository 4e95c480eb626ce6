package io.github.mountedsecrets.spring.ssl;

import io.github.mountedsecrets.tls.TlsMaterialException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.Ordered;

/**
 * Explains a start that failed because an SSL bundle's material in the mount is unusable: the
 * message names the bundle, the keys and the reason; the action says what to put in the mount.
 * Runs before the mount's general analyzer, which would otherwise suggest file permissions.
 */
final class TlsMaterialFailureAnalyzer extends AbstractFailureAnalyzer<TlsMaterialException>
    implements Ordered {
  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, TlsMaterialException cause) {
    return new FailureAnalysis(cause.getMessage(),
        "Put a usable certificate and key in the mount: the PEM certificate chain, leaf first, "
            + "in the key named by mounted-secrets.ssl.bundle.<name>.certificate and the private "
            + "key that belongs to the leaf certificate in the key named by private-key (with "
            + "private-key-password for an encrypted PKCS#8 key); renew an expired certificate. "
            + "While the application runs, a generation like this is refused and the previous "
            + "certificate stays in service.",
        cause);
  }

  @Override
  public int getOrder() {
    return Ordered.HIGHEST_PRECEDENCE;
  }
}
