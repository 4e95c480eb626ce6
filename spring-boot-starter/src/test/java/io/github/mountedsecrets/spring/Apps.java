package io.github.mountedsecrets.spring;

import java.util.Arrays;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

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
}
