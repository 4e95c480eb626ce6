package io.github.mountedsecrets.quarkus.deployment;

import io.github.mountedsecrets.quarkus.MountedSecretsConfigBuilder;
import io.github.mountedsecrets.quarkus.MountedSecretsRecorder;
import io.quarkus.arc.deployment.AdditionalBeanBuildItem;
import io.quarkus.deployment.Capabilities;
import io.quarkus.deployment.Capability;
import io.quarkus.deployment.annotations.BuildProducer;
import io.quarkus.deployment.annotations.BuildStep;
import io.quarkus.deployment.annotations.ExecutionTime;
import io.quarkus.deployment.annotations.Record;
import io.quarkus.deployment.builditem.AdditionalIndexedClassesBuildItem;
import io.quarkus.deployment.builditem.FeatureBuildItem;
import io.quarkus.deployment.builditem.RunTimeConfigBuilderBuildItem;
import io.quarkus.deployment.builditem.ShutdownContextBuildItem;
import io.quarkus.deployment.builditem.nativeimage.ReflectiveClassBuildItem;
import io.quarkus.deployment.builditem.nativeimage.RuntimeInitializedClassBuildItem;
import io.quarkus.deployment.metrics.MetricsCapabilityBuildItem;
import io.quarkus.runtime.metrics.MetricsFactory;
import io.quarkus.smallrye.health.deployment.spi.HealthBuildItem;
import java.util.Optional;

/**
 * Build steps of the mounted-secrets extension: the run-time config source, the CDI beans,
 * the optional Agroal, health and Micrometer integrations, and native-image hints.
 *
 * <p>Integrations are registered only when the application has the extension they need, so
 * the classes that use an absent extension are never loaded.
 */
class MountedSecretsProcessor {
  static final String FEATURE = "mounted-secrets";

  private static final String RUNTIME_PACKAGE = "io.github.mountedsecrets.quarkus.";
  private static final String MOUNTED_SECRETS = "io.github.mountedsecrets.MountedSecrets";

  @BuildStep
  FeatureBuildItem feature() {
    return new FeatureBuildItem(FEATURE);
  }

  /** The config source is built with the run-time configuration, never at build time. */
  @BuildStep
  RunTimeConfigBuilderBuildItem configSource() {
    return new RunTimeConfigBuilderBuildItem(MountedSecretsConfigBuilder.class);
  }

  @BuildStep
  void beans(Capabilities capabilities, Optional<MetricsCapabilityBuildItem> metrics,
      BuildProducer<AdditionalBeanBuildItem> beans) {
    AdditionalBeanBuildItem.Builder builder = AdditionalBeanBuildItem.builder()
        .setUnremovable()
        .addBeanClasses(RUNTIME_PACKAGE + "MountedSecretsProducer",
            RUNTIME_PACKAGE + "ChangeEventBridge",
            RUNTIME_PACKAGE + "MountedSecretsMappings",
            RUNTIME_PACKAGE + "MountedSecretsCredentialsProvider");
    if (capabilities.isPresent(Capability.AGROAL)) {
      builder.addBeanClasses(RUNTIME_PACKAGE + "AgroalPools");
    }
    if (metrics.isPresent() && metrics.get().metricsSupported(MetricsFactory.MICROMETER)) {
      builder.addBeanClasses(RUNTIME_PACKAGE + "MountedSecretsMetricsProducer");
    }
    beans.produce(builder.build());
  }

  /**
   * The core's {@code MountedSecrets} is produced as an application-scoped bean, so that beans
   * created at static init (Quarkus REST providers) can inject it. It is final and has no
   * no-args constructor; indexed, ArC transforms it at build time into a class it can proxy.
   */
  @BuildStep
  AdditionalIndexedClassesBuildItem proxyableMountedSecrets() {
    return new AdditionalIndexedClassesBuildItem(MOUNTED_SECRETS);
  }

  /** Consumed only when the application has {@code quarkus-smallrye-health}. */
  @BuildStep
  HealthBuildItem readiness() {
    return new HealthBuildItem(RUNTIME_PACKAGE + "MountedSecretsHealthCheck", true);
  }

  /**
   * Registered at static init, before the run-time configuration opens the mount, so that a
   * start that fails later still closes it.
   */
  @BuildStep
  @Record(ExecutionTime.STATIC_INIT)
  void closeAtShutdown(MountedSecretsRecorder recorder, ShutdownContextBuildItem shutdown) {
    recorder.closeMountsAtShutdown(shutdown);
  }

  /**
   * Native image: Caffeine creates the cache and node classes the core's conversion cache
   * uses (strong keys and values, bounded by size) reflectively; the core's default mount
   * directory is a {@code Path}, which must not be put in the image heap.
   */
  @BuildStep
  void nativeImage(BuildProducer<ReflectiveClassBuildItem> reflective,
      BuildProducer<RuntimeInitializedClassBuildItem> runtimeInitialized) {
    reflective.produce(ReflectiveClassBuildItem.builder(
            "com.github.benmanes.caffeine.cache.SSMS",
            "com.github.benmanes.caffeine.cache.PSMS")
        .constructors()
        .reason(FEATURE)
        .build());
    runtimeInitialized.produce(
        new RuntimeInitializedClassBuildItem(MOUNTED_SECRETS));
  }
}
