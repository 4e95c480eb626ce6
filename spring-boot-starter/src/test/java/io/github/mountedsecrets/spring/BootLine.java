package io.github.mountedsecrets.spring;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.context.ApplicationContext;
import org.springframework.util.ClassUtils;

/**
 * What differs between the Spring Boot lines these tests run on (4.x and 3.5): classes that
 * moved are named both ways and the health API is reached by reflection, so that one test
 * source compiles and runs on both.
 */
final class BootLine {
  private BootLine() {}

  /** Returns whether the tests run on Spring Boot 4. */
  static boolean isBoot4() {
    return present("org.springframework.boot.bootstrap.BootstrapRegistry");
  }

  /** Returns whether HikariCP 7's {@code HikariCredentialsProvider} is on the class path. */
  static boolean hasCredentialsProvider() {
    return present("com.zaxxer.hikari.HikariCredentialsProvider");
  }

  /** Returns the auto-configurations that exist on this line, by their 4.x or 3.5 name. */
  static AutoConfigurations autoConfigurations(String... boot4OrBoot3Names) {
    List<Class<?>> classes = new ArrayList<>();
    for (String name : boot4OrBoot3Names) {
      if (present(name)) {
        classes.add(ClassUtils.resolveClassName(name, BootLine.class.getClassLoader()));
      }
    }
    return AutoConfigurations.of(classes.toArray(new Class<?>[0]));
  }

  static final String[] DATA_SOURCE = {
      "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
      "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration"};

  static final String[] METRICS = {
      "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
      "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
      "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration",
      "org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration",
      "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration",
      "org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration"};

  static final String[] ENDPOINTS = {
      "org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration"};

  static final String[] SPRING_CLOUD = {
      "org.springframework.cloud.autoconfigure.RefreshAutoConfiguration",
      "org.springframework.cloud.autoconfigure.ConfigurationPropertiesRebinderAutoConfiguration"};

  static String[] all(String[]... groups) {
    List<String> names = new ArrayList<>();
    for (String[] group : groups) {
      names.addAll(List.of(group));
    }
    return names.toArray(new String[0]);
  }

  /** A health result read through whichever health API this line has. */
  static final class HealthView {
    final String status;
    final Map<String, Object> details;

    HealthView(String status, Map<String, Object> details) {
      this.status = status;
      this.details = details;
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> mount(String directory) {
      return (Map<String, Object>) ((Map<String, Object>) details.get("mounts")).get(directory);
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> rotation(String name) {
      Map<String, Object> rotations = (Map<String, Object>) details.get("rotations");
      return rotations == null ? null : (Map<String, Object>) rotations.get(name);
    }

    @Override
    public String toString() {
      return status + " " + details;
    }
  }

  /** Calls {@code health()} on the {@code mountedSecretsHealthIndicator} bean. */
  @SuppressWarnings("unchecked")
  static HealthView health(ApplicationContext context) {
    Object indicator = context.getBean("mountedSecretsHealthIndicator");
    try {
      Method health = findPublicInterfaceMethod(indicator, "health");
      Object result = health.invoke(indicator);
      Object status = result.getClass().getMethod("getStatus").invoke(result);
      String code = (String) status.getClass().getMethod("getCode").invoke(status);
      Map<String, Object> details =
          (Map<String, Object>) result.getClass().getMethod("getDetails").invoke(result);
      return new HealthView(code, details);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError("cannot call the health indicator", e);
    }
  }

  private static Method findPublicInterfaceMethod(Object target, String name)
      throws NoSuchMethodException {
    for (Class<?> type : ClassUtils.getAllInterfacesForClassAsSet(target.getClass())) {
      try {
        return type.getMethod(name);
      } catch (NoSuchMethodException e) {
        // try the next interface
      }
    }
    throw new NoSuchMethodException(name + " on " + target.getClass());
  }

  private static boolean present(String name) {
    return ClassUtils.isPresent(name, BootLine.class.getClassLoader());
  }
}
