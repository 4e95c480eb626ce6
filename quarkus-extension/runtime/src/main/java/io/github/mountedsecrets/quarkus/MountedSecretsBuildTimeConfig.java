package io.github.mountedsecrets.quarkus;

import io.quarkus.runtime.annotations.ConfigGroup;
import io.quarkus.runtime.annotations.ConfigPhase;
import io.quarkus.runtime.annotations.ConfigRoot;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Build-time switches of the mounted-secrets extension, under {@code quarkus.mounted-secrets}.
 */
@ConfigMapping(prefix = "quarkus.mounted-secrets")
@ConfigRoot(phase = ConfigPhase.BUILD_TIME)
public interface MountedSecretsBuildTimeConfig {
  /**
   * The readiness checks: {@code mounted-secrets} for the mount, and
   * {@code mounted-secrets-tls} for the TLS configurations when the application has the
   * Quarkus TLS registry.
   *
   * @return the health settings
   */
  Switch health();

  /**
   * The mount's meters, and the TLS configurations' ({@code mounted.secrets.tls.*}) when the
   * application has the Quarkus TLS registry.
   *
   * @return the metrics settings
   */
  Switch metrics();

  /** Turns an optional integration on or off. */
  @ConfigGroup
  interface Switch {
    /**
     * Whether the integration is registered when its Quarkus extension
     * ({@code quarkus-smallrye-health}, {@code quarkus-micrometer}) is present.
     *
     * @return whether it is registered
     */
    @WithDefault("true")
    boolean enabled();
  }
}
