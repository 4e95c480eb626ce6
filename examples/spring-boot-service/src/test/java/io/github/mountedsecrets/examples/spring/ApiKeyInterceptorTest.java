package io.github.mountedsecrets.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.test.SecretsMount;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeyInterceptorTest {
  @TempDir
  Path dir;

  private SecretsMount mount;
  private MountedSecrets secrets;
  private ApiKeyInterceptor interceptor;

  // reload() reads the mount at once; its result is not asserted, since the reload thread's
  // first check may have read the change already.
  @BeforeEach
  void setUp() {
    mount = SecretsMount.atomicWriter(dir)
        .publish(Map.of("API_KEY", "key-one\n", "DB_USER", "orders_app"));
    secrets = MountedSecrets.builder().directory(mount.directory()).watch(false).build();
    interceptor = new ApiKeyInterceptor(secrets);
  }

  @AfterEach
  void tearDown() {
    secrets.close();
  }

  @Test
  void acceptsOnlyTheMountsKey() {
    assertThat(interceptor.accepts("key-one")).isTrue();
    assertThat(interceptor.accepts("key-one\n")).isFalse();
    assertThat(interceptor.accepts("key-on")).isFalse();
    assertThat(interceptor.accepts("key-two")).isFalse();
    assertThat(interceptor.accepts("")).isFalse();
    assertThat(interceptor.accepts(null)).isFalse();
  }

  @Test
  void readsTheKeyLive() {
    mount.put("API_KEY", "key-two");
    secrets.reload();

    assertThat(interceptor.accepts("key-two")).isTrue();
    assertThat(interceptor.accepts("key-one")).isFalse();
  }

  @Test
  void refusesEverythingWithoutAKey() {
    mount.remove("API_KEY");
    secrets.reload();

    assertThat(interceptor.accepts("key-one")).isFalse();
    assertThat(interceptor.accepts("")).isFalse();
    assertThat(interceptor.accepts(null)).isFalse();
  }
}
