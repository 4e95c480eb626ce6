package io.github.mountedsecrets.spring.ssl;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;
import org.springframework.beans.factory.FactoryBean;

/**
 * The SSL bundles' health indicator on Spring Boot 3.5, whose health API
 * ({@code org.springframework.boot.actuate.health}) this jar, compiled against Spring Boot 4,
 * cannot name: a {@link Proxy} of 3.5's {@code HealthIndicator} that builds its {@code Health}
 * with {@code Health.status(String)}, {@code withDetails(Map)} and {@code build()} by
 * reflection, the way the mount's own indicator does on that line.
 */
final class Boot3SslBundlesHealthIndicatorFactoryBean implements FactoryBean<Object> {
  static final String PACKAGE = "org.springframework.boot.actuate.health";
  static final String INDICATOR = PACKAGE + ".HealthIndicator";

  private final SslBundlesHealth health;
  private final Class<?> indicatorType;
  private final Method status;
  private final Method withDetails;
  private final Method build;

  Boot3SslBundlesHealthIndicatorFactoryBean(SslBundlesHealth health, ClassLoader classLoader)
      throws ReflectiveOperationException {
    this.health = health;
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
        SslBundlesHealth.Report report = health.report();
        Object builder = status.invoke(null, report.status);
        withDetails.invoke(builder, report.details);
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
          return "SslBundlesHealthIndicator";
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
