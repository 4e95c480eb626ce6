package io.github.mountedsecrets.quarkus.deployment;

import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.quarkus.AgroalPools;
import io.github.mountedsecrets.quarkus.ChangeEventBridge;
import io.github.mountedsecrets.quarkus.MountedSecretsBuildTimeConfig;
import io.github.mountedsecrets.quarkus.MountedSecretsCredentialsProvider;
import io.github.mountedsecrets.quarkus.MountedSecretsMappings;
import io.github.mountedsecrets.quarkus.MountedSecretsMetricsProducer;
import io.github.mountedsecrets.quarkus.MountedSecretsProducer;
import io.github.mountedsecrets.quarkus.MountedSecretsConfigBuilder;
import io.github.mountedsecrets.quarkus.MountedTlsConfigurations;
import io.github.mountedsecrets.quarkus.MountedTlsMetricsProducer;
import io.github.mountedsecrets.quarkus.MountedSecretsRecorder;
import io.quarkus.arc.deployment.AdditionalBeanBuildItem;
import io.quarkus.arc.deployment.ValidationPhaseBuildItem;
import io.quarkus.arc.processor.InjectionPointInfo;
import io.quarkus.bootstrap.classloading.QuarkusClassLoader;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jboss.jandex.AnnotationInstance;
import org.jboss.jandex.AnnotationValue;
import org.jboss.jandex.ClassInfo;
import org.jboss.jandex.DotName;
import org.jboss.jandex.FieldInfo;
import org.jboss.jandex.MethodParameterInfo;

/**
 * Build steps of the mounted-secrets extension: the run-time config source, the CDI beans,
 * the optional Agroal, TLS registry, health and Micrometer integrations, the warning about
 * {@code @ConfigProperty} injection points that do not follow rotations, and native-image hints.
 *
 * <p>Integrations are registered only when the application has the extension they need, so
 * the classes that use an absent extension are never loaded.
 */
class MountedSecretsProcessor {
  static final String FEATURE = "mounted-secrets";

  private static final String MOUNTED_SECRETS = MountedSecrets.class.getName();
  /**
   * Present when the application has the Quarkus TLS registry extension, which has no
   * capability name; its API ({@code quarkus-tls-registry-spi}) may come without it.
   */
  private static final String TLS_REGISTRY = "io.quarkus.tls.runtime.CertificateRecorder";
  /**
   * The health checks, by name: a class literal would load them, and with them the
   * MicroProfile Health API, into the build's class loader, which need not have it.
   */
  private static final String MOUNT_HEALTH_CHECK =
      "io.github.mountedsecrets.quarkus.MountedSecretsHealthCheck";
  private static final String TLS_HEALTH_REGISTRATION =
      "io.github.mountedsecrets.quarkus.MountedTlsHealthRegistration";
  private static final DotName CONFIG_PROPERTY = DotName.createSimple(
      "org.eclipse.microprofile.config.inject.ConfigProperty");
  /** Injected types whose value is looked up again on each call, so they follow rotations. */
  private static final Set<DotName> LIVE_TYPES = Set.of(
      DotName.createSimple("jakarta.inject.Provider"),
      DotName.createSimple("jakarta.enterprise.inject.Instance"),
      DotName.createSimple("io.quarkus.arc.InjectableInstance"),
      DotName.createSimple("java.util.function.Supplier"));

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
      MountedSecretsBuildTimeConfig config, BuildProducer<AdditionalBeanBuildItem> beans) {
    AdditionalBeanBuildItem.Builder builder = AdditionalBeanBuildItem.builder()
        .setUnremovable()
        .addBeanClasses(MountedSecretsProducer.class, ChangeEventBridge.class,
            MountedSecretsMappings.class, MountedSecretsCredentialsProvider.class);
    if (capabilities.isPresent(Capability.AGROAL)) {
      builder.addBeanClass(AgroalPools.class);
    }
    boolean tlsRegistry = hasTlsRegistry();
    if (tlsRegistry) {
      builder.addBeanClass(MountedTlsConfigurations.class);
      if (config.health().enabled() && capabilities.isPresent(Capability.SMALLRYE_HEALTH)) {
        // Registers the TLS readiness check at startup, only when TLS configurations exist.
        builder.addBeanClass(TLS_HEALTH_REGISTRATION);
      }
    }
    if (config.metrics().enabled() && metrics.isPresent()
        && metrics.get().metricsSupported(MetricsFactory.MICROMETER)) {
      builder.addBeanClass(MountedSecretsMetricsProducer.class);
      if (tlsRegistry) {
        builder.addBeanClass(MountedTlsMetricsProducer.class);
      }
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

  private static boolean hasTlsRegistry() {
    return QuarkusClassLoader.isClassPresentAtRuntime(TLS_REGISTRY);
  }

  /**
   * The mount's readiness check; consumed only when the application has
   * {@code quarkus-smallrye-health}. (The TLS configurations' check is registered at startup,
   * when there are any: see {@link #beans}.)
   */
  @BuildStep
  void readiness(MountedSecretsBuildTimeConfig config, BuildProducer<HealthBuildItem> checks) {
    checks.produce(new HealthBuildItem(MOUNT_HEALTH_CHECK, config.health().enabled()));
  }

  /**
   * Without the TLS registry, warns at startup when TLS configurations are set anyway: they
   * would be ignored without a word otherwise.
   */
  @BuildStep
  @Record(ExecutionTime.RUNTIME_INIT)
  void warnAboutTlsWithoutRegistry(MountedSecretsRecorder recorder) {
    if (!hasTlsRegistry()) {
      recorder.warnAboutTlsWithoutRegistry();
    }
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
   * Records every {@code @ConfigProperty} injection point that is injected once (not a
   * {@code Provider}, {@code Instance} or {@code Supplier}), with its property name; at startup,
   * when the mount's keys are known, the recorder warns about those that name a mount key, since
   * they keep their startup value after a rotation.
   */
  @BuildStep
  @Record(ExecutionTime.RUNTIME_INIT)
  void warnAboutFrozenConfigProperties(ValidationPhaseBuildItem validation, MountedSecretsRecorder recorder) {
    List<String> propertyNames = new ArrayList<>();
    List<String> injectionPoints = new ArrayList<>();
    for (InjectionPointInfo injectionPoint : validation.getContext().getInjectionPoints()) {
      if (injectionPoint.hasDefaultedQualifier() || injectionPoint.isSynthetic()) {
        continue;
      }
      AnnotationInstance configProperty = injectionPoint.getRequiredQualifier(CONFIG_PROPERTY);
      if (configProperty == null || LIVE_TYPES.contains(injectionPoint.getType().name())) {
        continue;
      }
      String name = propertyName(injectionPoint, configProperty);
      if (name != null) {
        propertyNames.add(name);
        injectionPoints.add(injectionPoint.getTargetInfo());
      }
    }
    if (!propertyNames.isEmpty()) {
      recorder.warnAboutFrozenConfigProperties(propertyNames, injectionPoints);
    }
  }

  /** The property an injection point reads: its {@code name}, else MicroProfile's default name. */
  private static String propertyName(InjectionPointInfo injectionPoint, AnnotationInstance configProperty) {
    AnnotationValue name = configProperty.value("name");
    if (name != null && !name.asString().isEmpty()) {
      return name.asString();
    }
    if (injectionPoint.isField()) {
      FieldInfo field = injectionPoint.getAnnotationTarget().asField();
      return defaultName(field.declaringClass(), field.name());
    }
    if (injectionPoint.isParam()) {
      MethodParameterInfo parameter = injectionPoint.getAnnotationTarget().asMethodParameter();
      return parameter.name() == null ? null : defaultName(parameter.method().declaringClass(), parameter.name());
    }
    return null;
  }

  private static String defaultName(ClassInfo declaringClass, String member) {
    String type = declaringClass.enclosingClass() == null ? declaringClass.name().toString()
        : declaringClass.enclosingClass() + "." + declaringClass.simpleName();
    return type + "." + member;
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
