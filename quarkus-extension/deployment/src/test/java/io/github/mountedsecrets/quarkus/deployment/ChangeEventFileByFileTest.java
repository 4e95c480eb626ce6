package io.github.mountedsecrets.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mountedsecrets.SecretsChangedEvent;
import io.github.mountedsecrets.test.SecretsMount;
import io.quarkus.test.QuarkusExtensionTest;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One rotation of a mount written in the FILE_BY_FILE layout reaches CDI observers as one
 * {@link SecretsChangedEvent} naming both keys, and no value is logged. The files are written
 * one after the other, so the mount is configured with a 1 s quiet period: the default 100 ms
 * can be shorter than an fsync stall between the two files on a loaded machine, and the library
 * then (as documented) reads the half-rotated mount as a change of its own.
 */
class ChangeEventFileByFileTest {
  static final String CANARY_ONE = "canary-change-events-file-by-file-pw-one-5f2c";
  static final String CANARY_TWO = "canary-change-events-file-by-file-pw-two-9d1e";
  static final SecretsMount MOUNT = TestMounts.open("change-events-file-by-file", SecretsMount.Layout.FILE_BY_FILE,
      Map.of("DB_USER", "app_blue", "DB_PASSWORD", CANARY_ONE));

  @RegisterExtension
  static final QuarkusExtensionTest APP = new QuarkusExtensionTest()
      .withApplicationRoot(jar -> jar.addClasses(TestMounts.class, LogText.class, ChangeEventObserver.class))
      .withConfigurationResource("change-events-file-by-file.properties")
      .setLogRecordPredicate(record -> true)
      .assertLogRecords(records -> assertThat(records)
          .isNotEmpty()
          .allSatisfy(record -> assertThat(LogText.of(record))
              .doesNotContain(CANARY_ONE).doesNotContain(CANARY_TWO)));

  @Test
  void rotationIsFiredAsOneCdiEvent() throws InterruptedException {
    MOUNT.publish(Map.of("DB_USER", "app_green", "DB_PASSWORD", CANARY_TWO));

    SecretsChangedEvent event = ChangeEventObserver.SYNC.poll(10, TimeUnit.SECONDS);
    assertThat(event).as("synchronous CDI event").isNotNull();
    assertThat(event.changed()).containsExactlyInAnyOrder("DB_USER", "DB_PASSWORD");
    assertThat(event.current().get("DB_USER")).isEqualTo("app_green");
    assertThat(event.previous().get("DB_USER")).isEqualTo("app_blue");
    assertThat(event.current().layout().name()).isEqualTo("FILE_BY_FILE");
    assertThat(ChangeEventObserver.THREADS.poll()).startsWith("mounted-secrets-events[");

    SecretsChangedEvent async = ChangeEventObserver.ASYNC.poll(10, TimeUnit.SECONDS);
    assertThat(async).as("asynchronous CDI event").isSameAs(event);
    // longer than the 1 s quiet period, so a second read of a split rotation would be seen
    assertThat(ChangeEventObserver.SYNC.poll(1500, TimeUnit.MILLISECONDS))
        .as("a second event for the same rotation").isNull();
  }
}
