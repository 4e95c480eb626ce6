package io.github.mountedsecrets.spring;

import java.io.IOException;
import java.net.URL;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.io.DefaultResourceLoader;

/** Runs real Spring Boot applications (config data, auto-configuration, logging) for tests. */
final class Apps {
  private Apps() {}

  /** An application with every auto-configuration on the class path except the data source's. */
  @Configuration(proxyBeanMethods = false)
  @EnableAutoConfiguration(excludeName = {
      "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
      "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration"})
  static class WithoutDataSource {}

  /** An application with every auto-configuration on the class path. */
  @Configuration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  static class Full {}

  /**
   * Runs an application; each property is passed as a command-line argument
   * ({@code name=value}).
   */
  static ConfigurableApplicationContext run(Class<?>[] sources, String... properties) {
    SpringApplication application = new SpringApplication(sources);
    application.setWebApplicationType(WebApplicationType.NONE);
    application.setBannerMode(Banner.Mode.OFF);
    return application.run(Arrays.stream(properties).map(p -> "--" + p).toArray(String[]::new));
  }

  static ConfigurableApplicationContext run(Class<?> source, String... properties) {
    return run(new Class<?>[] {source}, properties);
  }

  /**
   * A class loader without Spring Cloud: its classes are not found and its jars' resources
   * ({@code spring.factories}, auto-configuration lists) are not listed.
   */
  static ClassLoader withoutSpringCloud() {
    return new ClassLoader(Apps.class.getClassLoader()) {
      @Override
      protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (name.startsWith("org.springframework.cloud.")) {
          throw new ClassNotFoundException(name);
        }
        return super.loadClass(name, resolve);
      }

      @Override
      public URL getResource(String name) {
        URL url = super.getResource(name);
        return url == null || url.toString().contains("spring-cloud") ? null : url;
      }

      @Override
      public Enumeration<URL> getResources(String name) throws IOException {
        List<URL> urls = Collections.list(super.getResources(name));
        urls.removeIf(url -> url.toString().contains("spring-cloud"));
        return Collections.enumeration(urls);
      }
    };
  }

  /**
   * Runs an application whose classes come from a class loader (a {@code FilteredClassLoader}
   * hides libraries) and, when given, in a prepared environment (to stand in for OS
   * environment variables).
   */
  static ConfigurableApplicationContext run(ClassLoader classLoader,
      ConfigurableEnvironment environment, Class<?>[] sources, String... properties) {
    SpringApplication application = new SpringApplication(new DefaultResourceLoader(classLoader),
        sources);
    application.setWebApplicationType(WebApplicationType.NONE);
    application.setBannerMode(Banner.Mode.OFF);
    if (environment != null) {
      application.setEnvironment(environment);
    }
    return application.run(Arrays.stream(properties).map(p -> "--" + p).toArray(String[]::new));
  }
}
