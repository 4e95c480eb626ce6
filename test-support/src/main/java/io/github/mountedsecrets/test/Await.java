package io.github.mountedsecrets.test;

import java.time.Duration;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A tiny polling helper that waits until a condition holds, for tests that observe work done by
 * other threads.
 *
 * <p>The condition is checked at once, then every few milliseconds, and one last time when the
 * timeout has passed. Exceptions thrown by a condition propagate at once.
 */
public final class Await {

  private static final long POLL_NANOS = Duration.ofMillis(5).toNanos();

  private Await() {
  }

  /**
   * Waits until {@code condition} returns {@code true}.
   *
   * @param timeout how long to wait at most
   * @param condition the condition to poll
   * @param description what is awaited, for the failure message; called only on failure
   * @throws AssertionError naming the description and the timeout if the condition did not hold
   *     in time, or if the waiting thread was interrupted (its interrupt flag is then set again)
   */
  public static void until(Duration timeout, BooleanSupplier condition, Supplier<String> description) {
    Objects.requireNonNull(condition, "condition");
    Objects.requireNonNull(description, "description");
    long deadline = deadline(timeout);
    while (true) {
      boolean overdue = System.nanoTime() - deadline >= 0;
      if (condition.getAsBoolean()) {
        return;
      }
      if (overdue) {
        throw new AssertionError("Timed out after " + timeout + " waiting for: " + description.get());
      }
      pause(deadline, description);
    }
  }

  /**
   * Waits until the value returned by {@code supplier} satisfies {@code condition}, and returns
   * that value.
   *
   * @param <T> the type of the polled value
   * @param timeout how long to wait at most
   * @param supplier produces the value to check, once per poll
   * @param condition the condition the value must satisfy
   * @param description what is awaited, for the failure message
   * @return the first value that satisfied the condition
   * @throws AssertionError naming the description, the timeout and the last value if no value
   *     satisfied the condition in time, or if the waiting thread was interrupted
   */
  public static <T> T until(Duration timeout, Supplier<T> supplier, Predicate<T> condition, String description) {
    Objects.requireNonNull(supplier, "supplier");
    Objects.requireNonNull(condition, "condition");
    long deadline = deadline(timeout);
    while (true) {
      boolean overdue = System.nanoTime() - deadline >= 0;
      T value = supplier.get();
      if (condition.test(value)) {
        return value;
      }
      if (overdue) {
        throw new AssertionError("Timed out after " + timeout + " waiting for: " + description
            + "; last value: " + value);
      }
      pause(deadline, () -> description + "; last value: " + value);
    }
  }

  private static long deadline(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must not be negative: " + timeout);
    }
    long nanos;
    try {
      nanos = timeout.toNanos();
    } catch (ArithmeticException e) {
      nanos = Long.MAX_VALUE / 2;
    }
    return System.nanoTime() + Math.min(nanos, Long.MAX_VALUE / 2);
  }

  private static void pause(long deadline, Supplier<String> description) {
    long sleep = Math.max(0, Math.min(POLL_NANOS, deadline - System.nanoTime()));
    try {
      Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("Interrupted while waiting for: " + description.get(), e);
    }
  }
}
