package io.github.mountedsecrets.quarkus.deployment;

import io.github.mountedsecrets.MountedSecrets;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * A Quarkus REST filter, which Quarkus creates while the application is statically
 * initialized, with {@link MountedSecrets} injected directly: lets a request through only when
 * its {@code X-Api-Key} header is the mount's current {@code API_KEY}.
 */
@Provider
public class ApiKeyFilter implements ContainerRequestFilter {
  @Inject
  MountedSecrets secrets;

  @Override
  public void filter(ContainerRequestContext request) {
    Optional<String> expected = secrets.find("API_KEY");
    String presented = request.getHeaderString("X-Api-Key");
    if (expected.isEmpty() || presented == null || !MessageDigest.isEqual(
        expected.get().getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8))) {
      request.abortWith(Response.status(Response.Status.UNAUTHORIZED).build());
    }
  }
}
