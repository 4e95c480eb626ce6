package io.github.mountedsecrets;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import com.google.common.jimfs.WatchServiceConfiguration;
import io.github.mountedsecrets.test.Await;
import io.github.mountedsecrets.test.SecretsMount;
import io.github.mountedsecrets.test.SecretsMount.Layout;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The same behaviour on an in-memory file system, with Jimfs' polling watch service. */
@Timeout(60)
class JimfsTest {

  private static FileSystem jimfs() {
    return Jimfs.newFileSystem(Configuration.unix().toBuilder()
        .setWatchServiceConfiguration(WatchServiceConfiguration.polling(10, TimeUnit.MILLISECONDS))
        .build());
  }

  @ParameterizedTest
  @EnumSource(Layout.class)
  void readsAndFollowsRotationOnJimfs(Layout layout) throws Exception {
    try (FileSystem fs = jimfs()) {
      Path dir = fs.getPath("/mnt/secrets-store");
      SecretsMount mount = SecretsMount.create(layout, dir)
          .publish(Map.of("DB_PASSWORD", "p1\n", "prod-db", "{\"username\":\"u1\"}", "a/b/c", "deep"));
      try (MountedSecrets secrets = MountedSecrets.builder().directory(dir)
          .pollInterval(Duration.ofHours(1)).quietPeriod(Duration.ofMillis(30)).build()) {
        assertThat(secrets.get("DB_PASSWORD")).isEqualTo("p1");
        assertThat(secrets.get("prod-db.username")).isEqualTo("u1");
        assertThat(secrets.get("a/b/c")).isEqualTo("deep");
        assertThat(secrets.status().layout()).isEqualTo(layout == Layout.ATOMIC_WRITER
            ? MountLayout.ATOMIC_WRITER : MountLayout.FILE_BY_FILE);
        mount.publish(Map.of("DB_PASSWORD", "p2", "prod-db", "{\"username\":\"u2\"}", "a/b/c", "deeper"));
        Await.until(Duration.ofSeconds(10), () -> secrets.get("prod-db.username").equals("u2"),
            () -> "rotation seen on Jimfs");
        assertThat(secrets.get("DB_PASSWORD")).isEqualTo("p2");
        assertThat(secrets.get("a/b/c")).isEqualTo("deeper");
      }
    }
  }
}
