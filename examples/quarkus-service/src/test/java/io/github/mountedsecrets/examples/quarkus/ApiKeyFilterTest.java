package io.github.mountedsecrets.examples.quarkus;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.test.SecretsMount;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The key check alone, on a real mount (no Quarkus). */
class ApiKeyFilterTest {
  @TempDir
  Path temp;

  private MountedSecrets mount(Map<String, String> files) {
    SecretsMount.atomicWriter(temp.resolve("mount")).publish(files);
    return MountedSecrets.builder().directory(temp.resolve("mount")).build();
  }

  private static ApiKeyFilter filter(MountedSecrets secrets) {
    ApiKeyFilter filter = new ApiKeyFilter();
    filter.secrets = secrets;
    return filter;
  }

  @Test
  void onlyTheExactKeyIsAccepted() {
    try (MountedSecrets secrets = mount(Map.of("API_KEY", "the-key"))) {
      ApiKeyFilter filter = filter(secrets);
      assertThat(filter.matches("the-key")).isTrue();
      assertThat(filter.matches("the-ke")).isFalse();
      assertThat(filter.matches("the-key ")).isFalse();
      assertThat(filter.matches("")).isFalse();
    }
  }

  @Test
  void anEmptyKeyInTheMountAcceptsNobodyNotEvenAnEmptyHeader() {
    try (MountedSecrets secrets = mount(Map.of("API_KEY", "", "OTHER", "x"))) {
      ApiKeyFilter filter = filter(secrets);
      assertThat(filter.matches("")).isFalse();
      assertThat(filter.matches("anything")).isFalse();
    }
  }

  @Test
  void withoutAKeyInTheMountEveryRequestIsRefused() {
    try (MountedSecrets secrets = mount(Map.of("OTHER", "x"))) {
      ApiKeyFilter filter = filter(secrets);
      assertThat(secrets.find("API_KEY")).isEmpty();
      assertThat(filter.matches("")).isFalse();
      assertThat(filter.matches("x")).isFalse();
    }
  }
}
