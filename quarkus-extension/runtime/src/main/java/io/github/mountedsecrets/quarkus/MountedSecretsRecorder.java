package io.github.mountedsecrets.quarkus;

import io.github.mountedsecrets.MountedSecrets;
import io.quarkus.runtime.ApplicationLifecycleManager;
import io.quarkus.runtime.ShutdownContext;
import io.quarkus.runtime.annotations.Recorder;
import io.smallrye.config.SmallRyeConfig;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/** Run-time actions recorded by the extension's build steps; not meant to be used directly. */
@Recorder
public class MountedSecretsRecorder {
  private static final Logger LOG = Logger.getLogger(MountedSecretsRecorder.class);

  /** Creates the recorder; Quarkus does this. */
  public MountedSecretsRecorder() {}

  /**
   * Closes every mount when the application stops, also when it stops because its start
   * failed after the configuration was built.
   *
   * @param shutdown the application's shutdown context
   */
  public void closeMountsAtShutdown(ShutdownContext shutdown) {
    shutdown.addLastShutdownTask(SharedMounts::closeAll);
  }

  /**
   * Warns once when TLS configurations are set ({@code quarkus.mounted-secrets.tls."name".*})
   * but the application has no Quarkus TLS registry to serve them from: naming the
   * configurations and the extension to add. Nothing is read from the mount.
   */
  public void warnAboutTlsWithoutRegistry() {
    MountedSecretsConfig options = ConfigProvider.getConfig().unwrap(SmallRyeConfig.class)
        .getConfigMapping(MountedSecretsConfig.class);
    if (options.tls().isEmpty()) {
      return;
    }
    String names = options.tls().keySet().stream().sorted()
        .map(name -> "quarkus.mounted-secrets.tls.\"" + name + "\"")
        .collect(Collectors.joining(", "));
    LOG.warnf("%s: %s %s configured, but the application has no Quarkus TLS registry, so no "
        + "server or client can use %s; add the quarkus-tls-registry extension (quarkus-vertx-http "
        + "brings it)", options.directory(), names, options.tls().size() == 1 ? "is" : "are",
        options.tls().size() == 1 ? "it" : "them");
  }

  /**
   * Warns, once per injection point, about {@code @ConfigProperty} injection points that read a
   * key of the mount once: they keep the value they were injected with after a rotation. The
   * warning names the injection point, the key and the alternatives, never the value.
   *
   * @param propertyNames the property each injection point reads
   * @param injectionPoints the injection points, in the same order
   */
  public void warnAboutFrozenConfigProperties(List<String> propertyNames, List<String> injectionPoints) {
    if (Boolean.getBoolean(ApplicationLifecycleManager.QUARKUS_APPCDS_GENERATE_PROP)) {
      return; // generating an AppCDS archive: no mount is there
    }
    MountedSecretsConfig options = ConfigProvider.getConfig().unwrap(SmallRyeConfig.class)
        .getConfigMapping(MountedSecretsConfig.class);
    MountedSecrets secrets = SharedMounts.obtain(options);
    Set<String> keys = secrets.snapshot().keys();
    for (int i = 0; i < propertyNames.size(); i++) {
      String key = propertyNames.get(i);
      if (keys.contains(key)) {
        LOG.warnf("%s: @ConfigProperty(name = \"%s\") at %s is injected once and keeps its startup "
            + "value when the mount rotates; to follow rotations inject Provider<T> (or Instance<T>) "
            + "and call get(), inject MountedSecrets and call get(\"%s\"), or read a @ConfigMapping "
            + "with MountedSecretsMappings.current(...)", secrets.directory(), key,
            injectionPoints.get(i), key);
      }
    }
  }
}
