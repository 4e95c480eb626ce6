package io.github.mountedsecrets.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mountedsecrets.MountedSecretsException;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * The failure analysis of a mount that cannot be read; a missing mount and a missing key are
 * analyzed in real applications in {@link ConfigImportTest} and {@link CanaryTest}.
 */
class MountedSecretsFailureAnalyzerTest {
  @Test
  void anUnreadableMountSaysHowToFixPermissionsOrStartAnyway() {
    MountedSecretsException cause = new MountedSecretsException(
        "Secrets mount /mnt/secrets-store could not be read at startup: permission denied");
    FailureAnalysis analysis = new MountedSecretsFailureAnalyzer()
        .analyze(new BeanCreationException("mountedSecrets", "failed", cause));
    assertThat(analysis.getDescription()).isEqualTo(cause.getMessage());
    assertThat(analysis.getAction()).contains("fsGroup", "mounted-secrets.require-mount=false",
        "spring.config.import=optional:mounted-secrets:");
    assertThat(analysis.getCause()).isSameAs(cause);
  }

  @Test
  void otherFailuresAreLeftToOtherAnalyzers() {
    assertThat(new MountedSecretsFailureAnalyzer().analyze(new IllegalStateException("x"))).isNull();
  }
}
