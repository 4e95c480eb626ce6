package io.github.mountedsecrets.benchmarks.startup.quarkus;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * The one resource of the minimal Quarkus application whose time to ready
 * {@code StartupBenchmark} measures. Built twice from this source, with and without the
 * mounted-secrets extension ({@code benchmarks/startup-quarkus-with} compiles this directory).
 */
@Path("/hello")
public class HelloResource {
  /**
   * Answers once the application serves requests.
   *
   * @return a fixed text
   */
  @GET
  @Produces(MediaType.TEXT_PLAIN)
  public String hello() {
    return "hello";
  }
}
