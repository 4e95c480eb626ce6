package io.github.mountedsecrets.examples.spring;

import io.github.mountedsecrets.MountedSecrets;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Lets a request through only if its {@value #HEADER} header equals the current value of the
 * mount's {@value #KEY} key; otherwise answers 401 with a fixed JSON body.
 *
 * <p>The key is read from {@link MountedSecrets} at each request, so a rotated key is required
 * from the moment the mount holds it, with no restart and no refresh. The comparison takes the
 * same time wherever the values differ ({@link MessageDigest#isEqual}), and neither value is
 * ever logged or echoed. If the mount has no {@value #KEY}, every request is refused.
 */
@Component
class ApiKeyInterceptor implements HandlerInterceptor {
  static final String HEADER = "X-Api-Key";
  static final String KEY = "API_KEY";
  static final String REFUSED = "{\"error\":\"missing or wrong X-Api-Key\"}";

  private final MountedSecrets secrets;

  ApiKeyInterceptor(MountedSecrets secrets) {
    this.secrets = secrets;
  }

  @Override
  public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler)
      throws IOException {
    if (accepts(request.getHeader(HEADER))) {
      return true;
    }
    response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
    response.setContentType(MediaType.APPLICATION_JSON_VALUE);
    response.setCharacterEncoding(StandardCharsets.UTF_8.name());
    response.getWriter().write(REFUSED);
    return false;
  }

  /**
   * Returns whether a presented key is the mount's current key.
   *
   * @param presented the header's value, or null if the request has none
   * @return true only if the mount has a key and the presented value equals it
   */
  boolean accepts(String presented) {
    Optional<String> expected = secrets.find(KEY);
    if (presented == null || expected.isEmpty() || expected.get().isEmpty()) {
      return false;
    }
    return MessageDigest.isEqual(expected.get().getBytes(StandardCharsets.UTF_8),
        presented.getBytes(StandardCharsets.UTF_8));
  }
}
