package io.github.mountedsecrets.quarkus.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.json.JsonObject;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * With {@code require-mount=false} and no mount, the application starts and the readiness
 * check is DOWN with state MISSING until the mount appears.
 */
@QuarkusTest
@TestProfile(ReadinessWithoutMountTest.NoMount.class)
class ReadinessWithoutMountTest {
  /** Points the extension at a directory that does not exist. */
  public static class NoMount implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "quarkus.mounted-secrets.directory", "target/no-such-mount",
          "quarkus.mounted-secrets.require-mount", "false",
          "quarkus.datasource.jdbc.initial-size", "0",
          "quarkus.datasource.jdbc.min-size", "0");
    }
  }

  @TestHTTPResource("/q/health/ready")
  URI readiness;

  @Test
  void readinessIsDownWhileNothingIsMounted() {
    JsonObject check = Health.mountedSecrets(Health.body(readiness));
    assertThat(check.getString("status")).isEqualTo("DOWN");
    assertThat(check.getJsonObject("data").getString("state")).isEqualTo("MISSING");
    assertThat(check.getJsonObject("data").getString("failureReason")).isEqualTo("not mounted");
  }
}
