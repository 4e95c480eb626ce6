package io.github.mountedsecrets.rotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.mountedsecrets.DatabaseCredentials;
import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.test.Await;
import io.github.mountedsecrets.test.SecretsMount;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A rotation wired to a pool through {@link PoolSwitch}, on the rotation's real thread. */
@Timeout(60)
class PoolSwitchTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final Duration BOUND = Duration.ofMillis(300);

  @TempDir Path temp;

  /** Records what the rotation asked of the pool, when and on which thread. */
  private static final class FakePool implements PoolSwitch {
    final List<String> calls = new CopyOnWriteArrayList<>();
    final List<Long> evictions = new CopyOnWriteArrayList<>();
    final List<String> threads = new CopyOnWriteArrayList<>();
    final AtomicReference<CredentialsRotation> rotation = new AtomicReference<>();
    final AtomicInteger evictFailures = new AtomicInteger();
    volatile boolean opening;
    volatile Duration bound = BOUND;

    @Override
    public void apply(DatabaseCredentials credentials) {
      calls.add("apply " + credentials.username() + " current=" + rotation.get().current().username());
    }

    @Override
    public void evict() {
      if (evictFailures.getAndDecrement() > 0) {
        throw new IllegalStateException("pool busy");
      }
      evictions.add(System.nanoTime());
      threads.add(Thread.currentThread().getName());
      calls.add("evict");
    }

    @Override
    public Duration openingBound() {
      return bound;
    }

    @Override
    public boolean mayBeOpening() {
      return opening;
    }
  }

  private static Map<String, Object> pair(String user) {
    return Map.of("DB_USER", user, "DB_PASSWORD", "CANARY-" + user);
  }

  private CredentialsRotation start(MountedSecrets secrets, FakePool pool) {
    CredentialsRotation rotation = CredentialsRotation.builder(secrets).name("orders")
        .keys("DB_USER", "DB_PASSWORD").verifier(c -> { }).pool(pool)
        .initialBackoff(Duration.ofMillis(50)).maxBackoff(Duration.ofMillis(100)).build();
    pool.rotation.set(rotation);
    return rotation;
  }

  private static void waitPast(long since, Duration duration) {
    Await.until(WAIT, () -> System.nanoTime() - since > duration.toNanos(), () -> "time to pass");
  }

  @Test
  void aHandOutJustBeforeTheSwitchBringsTwoFollowUpEvictionsOnTheRotationsThread() {
    SecretsMount mount = SecretsMount.atomicWriter(temp.resolve("m")).publish(pair("orders_app"));
    FakePool pool = new FakePool();
    // Long enough that the mount's change reaches the rotation within it on a loaded machine.
    pool.bound = Duration.ofSeconds(2);
    try (MountedSecrets secrets = MountedSecrets.builder().directory(mount.directory()).build();
        CredentialsRotation rotation = start(secrets, pool)) {
      assertThat(rotation.handOut().username()).isEqualTo("orders_app");
      long published = System.nanoTime();
      mount.publish(pair("orders_app_clone"));
      Await.until(WAIT, () -> pool.evictions.size() == 3, () -> "three evictions, were " + pool.calls);
      assertThat(pool.calls).containsExactly("apply orders_app_clone current=orders_app_clone",
          "evict", "evict", "evict");
      long first = pool.evictions.get(0);
      assertThat(first).isGreaterThan(published);
      assertThat(pool.evictions.get(1) - first).isGreaterThanOrEqualTo(Duration.ofMillis(190).toNanos());
      assertThat(pool.evictions.get(2) - first).isGreaterThanOrEqualTo(Duration.ofMillis(2240).toNanos());
      assertThat(pool.threads).containsOnly("mounted-secrets-rotation[orders]");
      waitPast(pool.evictions.get(2), Duration.ofMillis(300));
      assertThat(pool.evictions).hasSize(3);
    }
  }

  @Test
  void withoutAHandOutInTheWindowTheSwitchEvictsOnce() {
    SecretsMount mount = SecretsMount.atomicWriter(temp.resolve("m")).publish(pair("orders_app"));
    FakePool pool = new FakePool();
    try (MountedSecrets secrets = MountedSecrets.builder().directory(mount.directory()).build();
        CredentialsRotation rotation = start(secrets, pool)) {
      rotation.handOut();
      long handedOut = System.nanoTime();
      waitPast(handedOut, BOUND.plusMillis(50));
      mount.publish(pair("orders_app_clone"));
      Await.until(WAIT, () -> pool.evictions.size() == 1, () -> "the switch's eviction");
      // Past the time of the last follow-up there would have been: still one eviction.
      waitPast(pool.evictions.get(0), BOUND.plusMillis(500));
      assertThat(pool.evictions).hasSize(1);
      assertThat(rotation.current().username()).isEqualTo("orders_app_clone");
    }
  }

  @Test
  void aPoolThatMayBeOpeningGetsTheFollowUpsAndCloseCancelsThem() {
    SecretsMount mount = SecretsMount.atomicWriter(temp.resolve("m")).publish(pair("orders_app"));
    FakePool pool = new FakePool();
    pool.opening = true;
    // The last follow-up comes a bound + 250 ms after the switch, the first after 200 ms: a
    // long bound leaves this thread seconds, not 350 ms, to close the rotation in between.
    pool.bound = Duration.ofSeconds(2);
    try (MountedSecrets secrets = MountedSecrets.builder().directory(mount.directory()).build()) {
      CredentialsRotation rotation = start(secrets, pool);
      mount.publish(pair("orders_app_clone"));
      Await.until(WAIT, () -> pool.evictions.size() == 2, () -> "switch and first follow-up");
      rotation.close();
      waitPast(pool.evictions.get(0), pool.bound.plusMillis(500));
      assertThat(pool.evictions).as("the last follow-up is cancelled by close()").hasSize(2);
    }
  }

  @Test
  void aFailedEvictionPutsThePreviousPairBackAndIsRetried() {
    SecretsMount mount = SecretsMount.atomicWriter(temp.resolve("m")).publish(pair("orders_app"));
    FakePool pool = new FakePool();
    pool.evictFailures.set(1);
    try (MountedSecrets secrets = MountedSecrets.builder().directory(mount.directory()).build();
        CredentialsRotation rotation = start(secrets, pool)) {
      mount.publish(pair("orders_app_clone"));
      Await.until(WAIT, () -> rotation.status().switches() == 1, () -> "switch on the retry");
      assertThat(pool.calls).startsWith("apply orders_app_clone current=orders_app_clone",
          "apply orders_app_clone current=orders_app_clone", "evict");
      assertThat(rotation.status().lastFailureAt()).isPresent();
      assertThat(rotation.status().state()).isEqualTo(RotationState.IN_SYNC);
    }
  }

  @Test
  void applierOrPoolNotBoth() {
    SecretsMount mount = SecretsMount.atomicWriter(temp.resolve("m")).publish(pair("orders_app"));
    try (MountedSecrets secrets = MountedSecrets.builder().directory(mount.directory()).build()) {
      assertThatThrownBy(() -> CredentialsRotation.builder(secrets).keys("DB_USER", "DB_PASSWORD")
          .verifier(c -> { }).applier(c -> { }).pool(new FakePool()).build())
          .hasMessage("set applier(...) or pool(...), not both");
      assertThatThrownBy(() -> CredentialsRotation.builder(secrets).keys("DB_USER", "DB_PASSWORD")
          .verifier(c -> { }).build())
          .hasMessage("set verifier(...) and applier(...) or pool(...) before build()");
    }
  }
}
