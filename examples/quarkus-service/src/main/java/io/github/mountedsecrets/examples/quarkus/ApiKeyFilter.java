package io.github.mountedsecrets.examples.quarkus;

import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.MountedSecretsException;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * Lets a request through only when its {@code X-Api-Key} header equals the current value of
 * the mount's {@code API_KEY} file; answers anything else with 401 and
 * {@code {"error":"missing or wrong X-Api-Key"}}.
 *
 * <p>The key is read from {@link MountedSecrets} at each request, so a rotated key is required
 * from the moment the mount changes, without a restart. Both values are hashed with SHA-256
 * and the digests compared with {@link MessageDigest#isEqual}, so the time taken depends on
 * neither the key's content nor its length. Neither the key nor what the client sent is
 * logged or echoed. Without an {@code API_KEY} in the mount every request is refused.
 */
@Provider
@ApiKeyRequired
@Priority(Priorities.AUTHENTICATION)
public class ApiKeyFilter implements ContainerRequestFilter {
  /** The request header that carries the key. */
  public static final String HEADER = "X-Api-Key";
  /** The mount key (file name) that holds the key. */
  public static final String KEY = "API_KEY";

  // A client proxy (the extension's bean is application scoped), so this works although
  // Quarkus REST creates its filters before the run-time configuration exists.
  @Inject
  MountedSecrets secrets;

  @Override
  public void filter(ContainerRequestContext request) {
    String presented = request.getHeaderString(HEADER);
    if (presented == null || !matches(presented)) {
      request.abortWith(Response.status(Response.Status.UNAUTHORIZED)
          .type(MediaType.APPLICATION_JSON_TYPE)
          .entity(ErrorBody.WRONG_API_KEY)
          .build());
    }
  }

  boolean matches(String presented) {
    Optional<String> expected;
    try {
      expected = secrets.find(KEY);
    } catch (MountedSecretsException e) {
      return false; // not UTF-8 text: no header can match it
    }
    // An empty key in the mount accepts nobody (an empty header must not match it).
    return expected.isPresent() && !expected.get().isEmpty()
        && MessageDigest.isEqual(sha256(expected.get()), sha256(presented));
  }

  private static byte[] sha256(String value) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
