package io.github.mountedsecrets.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AwaitTest {

  @Test
  void returnsOnceTheConditionHolds() {
    AtomicBoolean done = new AtomicBoolean();
    CompletableFuture.runAsync(() -> done.set(true), CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS));
    long start = System.nanoTime();

    Await.until(Duration.ofSeconds(10), done::get, () -> "done");

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void failsWithTheDescriptionAndTheTimeout() {
    long start = System.nanoTime();

    assertThatThrownBy(() -> Await.until(Duration.ofMillis(100), () -> false, () -> "the mount to rotate"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("the mount to rotate")
        .hasMessageContaining("PT0.1S");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(100));
  }

  @Test
  void checksAtLeastOnceEvenWithAZeroTimeout() {
    Await.until(Duration.ZERO, () -> true, () -> {
      throw new AssertionError("the description is built only on failure");
    });
    assertThat(Await.until(Duration.ZERO, () -> "x", "x"::equals, "x")).isEqualTo("x");
  }

  @Test
  void pollsRepeatedly() {
    AtomicInteger calls = new AtomicInteger();

    Await.until(Duration.ofSeconds(10), () -> calls.incrementAndGet() >= 5, () -> "five calls");

    assertThat(calls.get()).isEqualTo(5);
  }

  @Test
  void returnsTheFirstValueThatSatisfiesTheCondition() {
    AtomicInteger counter = new AtomicInteger();

    int value = Await.until(Duration.ofSeconds(10), counter::incrementAndGet, v -> v >= 3, "three");

    assertThat(value).isEqualTo(3);
  }

  @Test
  void reportsTheLastValueOnTimeout() {
    assertThatThrownBy(() -> Await.until(Duration.ofMillis(30), () -> "stale", "fresh"::equals, "a fresh value"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("a fresh value")
        .hasMessageContaining("PT0.03S")
        .hasMessageContaining("last value: stale");
  }

  @Test
  void rejectsANegativeTimeout() {
    assertThatThrownBy(() -> Await.until(Duration.ofMillis(-1), () -> true, () -> "x"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void interruptionFailsTheWaitAndKeepsTheFlag() {
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> Await.until(Duration.ofSeconds(10), () -> false, () -> "never"))
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("Interrupted while waiting for: never");
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
  }
}
