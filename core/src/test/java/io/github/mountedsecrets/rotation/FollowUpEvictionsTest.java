package io.github.mountedsecrets.rotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.mountedsecrets.DatabaseCredentials;
import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.test.SecretsMount;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The follow-up eviction policy, on a fake scheduler and a fake nanosecond clock. */
class FollowUpEvictionsTest {
  private static final Duration BOUND = Duration.ofSeconds(2);

  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final List<Duration> delays = new ArrayList<>();
  private final List<Runnable> tasks = new ArrayList<>();
  private final FollowUpEvictions followUps = new FollowUpEvictions("/mnt: orders",
      (task, delay) -> {
        delays.add(delay);
        tasks.add(task);
      }, now::get);
  private final List<String> calls = new ArrayList<>();

  @TempDir Path temp;

  private void advance(Duration duration) {
    now.addAndGet(duration.toNanos());
  }

  @Test
  void withoutAHandOutNothingIsScheduled() {
    assertThat(followUps.afterSwitch(now.get(), BOUND, false, () -> calls.add("evict"))).isFalse();
    assertThat(delays).isEmpty();
  }

  @Test
  void aHandOutWithinTheOpeningBoundSchedulesTwoFollowUps() {
    followUps.handedOut();
    advance(BOUND);
    assertThat(followUps.afterSwitch(now.get(), BOUND, false, () -> calls.add("evict"))).isTrue();
    assertThat(delays).containsExactly(Duration.ofMillis(200), BOUND.plusMillis(250));
    tasks.forEach(Runnable::run);
    assertThat(calls).containsExactly("evict", "evict");
  }

  @Test
  void aHandOutLongerAgoThanTheOpeningBoundSchedulesNothing() {
    followUps.handedOut();
    advance(BOUND.plusNanos(1));
    assertThat(followUps.afterSwitch(now.get(), BOUND, false, () -> calls.add("evict"))).isFalse();
    assertThat(delays).isEmpty();
  }

  @Test
  void aPoolThatMayBeOpeningGetsTheFollowUpsWithoutAHandOut() {
    assertThat(followUps.afterSwitch(now.get(), Duration.ofMillis(30), true, () -> calls.add("evict")))
        .isTrue();
    assertThat(delays).containsExactly(Duration.ofMillis(200), Duration.ofMillis(280));
  }

  @Test
  void aFailedFollowUpIsSwallowed() {
    followUps.handedOut();
    followUps.afterSwitch(now.get(), BOUND, false, () -> {
      throw new IllegalStateException("pool closed");
    });
    tasks.forEach(Runnable::run);
    assertThat(tasks).hasSize(2);
  }

  @Test
  void theSwitchAppliesThenEvictsThenSchedulesFromTheTimeOfTheSwitch() throws Exception {
    followUps.handedOut();
    advance(BOUND.minusMillis(1));
    RecordingPool pool = new RecordingPool(BOUND, false);
    followUps.switching(pool).apply(pair());
    assertThat(calls).containsExactly("apply orders_app_clone", "openingBound", "mayBeOpening", "evict");
    assertThat(delays).containsExactly(Duration.ofMillis(200), BOUND.plusMillis(250));
    calls.clear();
    tasks.forEach(Runnable::run);
    assertThat(calls).containsExactly("evict", "evict");
  }

  @Test
  void aSwitchWithoutHandOutEvictsOnce() throws Exception {
    RecordingPool pool = new RecordingPool(BOUND, false);
    followUps.switching(pool).apply(pair());
    assertThat(calls).containsExactly("apply orders_app_clone", "openingBound", "mayBeOpening", "evict");
    assertThat(delays).isEmpty();
  }

  @Test
  void theOpeningBoundMustBePositive() {
    RecordingPool pool = new RecordingPool(Duration.ZERO, false);
    assertThatThrownBy(() -> followUps.switching(pool).apply(pair()))
        .hasMessage("openingBound must be positive, but was PT0S");
    assertThat(calls).doesNotContain("evict");
  }

  private DatabaseCredentials pair() {
    SecretsMount mount = SecretsMount.atomicWriter(temp.resolve("m"))
        .publish(Map.of("DB_USER", "orders_app_clone", "DB_PASSWORD", "CANARY-pw"));
    try (MountedSecrets secrets = MountedSecrets.builder().directory(mount.directory()).build()) {
      return DatabaseCredentials.fromKeys(secrets.snapshot(), "DB_USER", "DB_PASSWORD");
    }
  }

  private final class RecordingPool implements PoolSwitch {
    private final Duration bound;
    private final boolean opening;

    RecordingPool(Duration bound, boolean opening) {
      this.bound = bound;
      this.opening = opening;
    }

    @Override
    public void apply(DatabaseCredentials credentials) {
      calls.add("apply " + credentials.username());
    }

    @Override
    public void evict() {
      calls.add("evict");
    }

    @Override
    public Duration openingBound() {
      calls.add("openingBound");
      return bound;
    }

    @Override
    public boolean mayBeOpening() {
      calls.add("mayBeOpening");
      return opening;
    }
  }
}
