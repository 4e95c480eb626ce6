package io.github.mountedsecrets.quarkus.deployment;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

/** The endpoint behind {@link ApiKeyFilter}. */
@Path("/greeting")
public class GreetingResource {
  @GET
  public String greeting() {
    return "hello";
  }
}
