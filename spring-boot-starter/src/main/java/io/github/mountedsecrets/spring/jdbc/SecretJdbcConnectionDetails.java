package io.github.mountedsecrets.spring.jdbc;

import io.github.mountedsecrets.DatabaseCredentials;
import io.github.mountedsecrets.MountedSecrets;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.util.ClassUtils;

/**
 * Spring Boot's {@code JdbcConnectionDetails} read from an RDS-style JSON secret of the mount:
 * {@code getJdbcUrl()} is core's {@link DatabaseCredentials#jdbcUrl()}, {@code getUsername()}
 * and {@code getPassword()} the secret's fields, each read from the current snapshot when
 * asked. The driver class follows from the URL (Spring Boot's default method).
 *
 * <p>The interface is in a different package on each Spring Boot line and this jar is compiled
 * against one of them, so the object is a {@link Proxy} implementing whichever interface is on
 * the class path; it has no other members. {@code toString()} names the secret, never values.
 */
final class SecretJdbcConnectionDetails implements InvocationHandler {
  static final String BOOT4 = "org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails";
  static final String BOOT3 = "org.springframework.boot.autoconfigure.jdbc.JdbcConnectionDetails";

  private final String secret;
  private final BeanFactory beanFactory;

  private SecretJdbcConnectionDetails(String secret, BeanFactory beanFactory) {
    this.secret = secret;
    this.beanFactory = beanFactory;
  }

  /** Returns this line's {@code JdbcConnectionDetails}, or null without Spring Boot's JDBC support. */
  static Class<?> interfaceType(ClassLoader classLoader) {
    for (String name : new String[] {BOOT4, BOOT3}) {
      if (ClassUtils.isPresent(name, classLoader)) {
        return ClassUtils.resolveClassName(name, classLoader);
      }
    }
    return null;
  }

  static Object create(Class<?> type, String secret, BeanFactory beanFactory) {
    return Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
        new SecretJdbcConnectionDetails(secret, beanFactory));
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    if (method.getParameterCount() == 0) {
      switch (method.getName()) {
        case "getJdbcUrl":
          return credentials().jdbcUrl().orElseThrow(() -> new IllegalStateException(
              "mounted-secrets.datasource.secret: the JSON secret '" + secret + "' gives no JDBC "
                  + "URL; it needs an 'engine' (postgres, mysql, mariadb, oracle-*, sqlserver-*) "
                  + "and a 'host' field (and usually 'port' and 'dbname')"));
        case "getUsername":
          return credentials().username();
        case "getPassword":
          return credentials().password();
        case "hashCode":
          return System.identityHashCode(proxy);
        case "toString":
          return "MountedSecretsJdbcConnectionDetails[secret=" + secret + "]";
        default:
          break;
      }
    }
    if (method.getName().equals("equals") && method.getParameterCount() == 1) {
      return proxy == args[0];
    }
    if (method.isDefault()) {
      return InvocationHandler.invokeDefault(proxy, method, args);
    }
    throw new UnsupportedOperationException(method.toString());
  }

  private DatabaseCredentials credentials() {
    String username = secret + ".username";
    MountedSecrets secrets = beanFactory.getBeanProvider(MountedSecrets.class).orderedStream()
        .filter(s -> s.snapshot().contains(username)).findFirst()
        .orElseThrow(() -> new IllegalStateException("mounted-secrets.datasource.secret: no "
            + "secrets mount holds a JSON secret '" + secret + "' with a 'username' field"));
    return secrets.databaseCredentials(secret);
  }
}
