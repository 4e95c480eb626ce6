package io.github.mountedsecrets.benchmarks.startup.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The minimal Spring Boot application whose time to ready {@code StartupBenchmark} measures:
 * one endpoint and Actuator's health. Built twice from this source, with and without the
 * mounted-secrets starter ({@code benchmarks/startup-spring-with} compiles this directory).
 */
@SpringBootApplication
@RestController
public class StartupApplication {
  /**
   * Starts the application.
   *
   * @param args command-line arguments, as Spring Boot reads them
   */
  public static void main(String[] args) {
    SpringApplication.run(StartupApplication.class, args);
  }

  /**
   * Answers once the application serves requests.
   *
   * @return a fixed text
   */
  @GetMapping("/hello")
  public String hello() {
    return "hello";
  }
}
