package io.github.mountedsecrets.spring.actuate;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.function.Supplier;
import org.springframework.beans.factory.FactoryBean;

/**
 * A health indicator on Spring Boot 3.5 (the mounts' and the SSL bundles'), where the health API is
 * {@code org.springframework.boot.actuate.health} in {@code spring-boot-actuator}.
 *
 * <p>This jar is compiled against Spring Boot 4, whose {@code spring-boot-actuator} no longer
 * has that package, so the 3.5 indicator cannot be a class compiled against it. Instead this
 * factory makes a {@link Proxy} implementing 3.5's {@code HealthIndicator} and builds its
 * {@code Health} through the same builder methods ({@code Health.status(String)},
 * {@code withDetails(Map)}, {@code build()}) by reflection. It is only created when that
 * interface is on the class path and Spring Boot 4's is not.
 */
public final class Boot3HealthIndicatorFactoryBean implements FactoryBean<Object> {
  static final String PACKAGE = "org.springframework.boot.actuate.health";
  /** Spring Boot 3.5's health indicator interface, for class conditions. */
  public static final String INDICATOR = PACKAGE + ".HealthIndicator";

  private final String name;
  private final Supplier<HealthReport> report;
  private final Class<?> indicatorType;
  private final Method status;
  private final Method withDetails;
  private final Method build;

  /**
   * Creates the factory of one indicator.
   *
   * @param name what the indicator's {@code toString()} says
   * @param report the indicator's status ({@code UP}, {@code DOWN}) and details, read at each
   *     health check
   * @param classLoader the class loader that sees Spring Boot 3.5's health API
   * @throws ReflectiveOperationException if that API is not there
   */
  public Boot3HealthIndicatorFactoryBean(String name,
      Supplier<HealthReport> report, ClassLoader classLoader)
      throws ReflectiveOperationException {
    this.name = name;
    this.report = report;
    this.indicatorType = Class.forName(INDICATOR, false, classLoader);
    Class<?> healthType = Class.forName(PACKAGE + ".Health", false, classLoader);
    Class<?> builderType = Class.forName(PACKAGE + ".Health$Builder", false, classLoader);
    this.status = healthType.getMethod("status", String.class);
    this.withDetails = builderType.getMethod("withDetails", Map.class);
    this.build = builderType.getMethod("build");
  }

  @Override
  public Object getObject() {
    InvocationHandler handler = (proxy, method, args) -> {
      if (method.getName().equals("health") && method.getParameterCount() == 0) {
        HealthReport current = report.get();
        Object builder = status.invoke(null, current.status());
        withDetails.invoke(builder, current.details());
        return build.invoke(builder);
      }
      if (method.isDefault()) {
        return InvocationHandler.invokeDefault(proxy, method, args);
      }
      switch (method.getName()) {
        case "equals":
          return proxy == args[0];
        case "hashCode":
          return System.identityHashCode(proxy);
        case "toString":
          return name;
        default:
          throw new UnsupportedOperationException(method.toString());
      }
    };
    return Proxy.newProxyInstance(indicatorType.getClassLoader(), new Class<?>[] {indicatorType},
        handler);
  }

  @Override
  public Class<?> getObjectType() {
    return indicatorType;
  }
}
