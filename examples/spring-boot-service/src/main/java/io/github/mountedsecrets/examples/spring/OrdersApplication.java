package io.github.mountedsecrets.examples.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * The orders service: a small REST API on PostgreSQL whose database address, credentials and
 * API key all come from the Secrets Store CSI Driver's mount (see
 * {@code application.properties}).
 *
 * <p>The mount is imported as configuration ({@code spring.config.import=mounted-secrets:...}),
 * so {@code spring.datasource.*} resolves from it and the starter moves the HikariCP pool to
 * rotated database credentials; {@link ApiKeyInterceptor} reads the API key from the mount at
 * each request. Nothing in the application itself handles a rotation.
 */
@SpringBootApplication
public class OrdersApplication implements WebMvcConfigurer {
  private final ApiKeyInterceptor apiKey;

  OrdersApplication(ApiKeyInterceptor apiKey) {
    this.apiKey = apiKey;
  }

  /**
   * Starts the service.
   *
   * @param args command-line arguments, as Spring Boot reads them
   */
  public static void main(String[] args) {
    SpringApplication.run(OrdersApplication.class, args);
  }

  /**
   * Requires the API key on every request the application's own handlers serve. The actuator's
   * endpoints (health probes, metrics) have their own handler mapping and stay open, and so
   * does the error page a failed request is forwarded to.
   *
   * @param registry the registry to add the check to
   */
  @Override
  public void addInterceptors(InterceptorRegistry registry) {
    registry.addInterceptor(apiKey).addPathPatterns("/**").excludePathPatterns("/error");
  }
}
