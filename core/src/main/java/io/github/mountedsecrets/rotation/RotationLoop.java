package io.github.mountedsecrets.rotation;

import io.github.mountedsecrets.DatabaseCredentials;
import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.MountedSecretsException;
import io.github.mountedsecrets.SecretsChangedEvent;
import io.github.mountedsecrets.SecretsSnapshot;
import io.github.mountedsecrets.Subscription;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;

/**
 * The work behind a {@link CredentialsRotation}: verify, publish, switch, retry.
 *
 * <p>Concurrency: every step runs on the rotation's single thread (the executor), so the
 * fields below {@code status} need no locking. Readers on any thread see {@code current}
 * and {@code status}, two volatile references to immutable values. A verified pair is made
 * current before the applier runs, so a connection a pool opens during the switch already
 * gets it; if the switch fails, the previous pair is put back before the retry.
 */
final class RotationLoop {
  private static final Logger LOG = RotationLog.LOG;

  private final MountedSecrets secrets;
  private final String name;
  private final Function<SecretsSnapshot, DatabaseCredentials> source;
  private final CredentialsVerifier verifier;
  private final CredentialsApplier applier;
  private final Clock clock;
  private final ScheduledExecutorService executor;
  private final Subscription subscription;

  private volatile DatabaseCredentials current;
  private volatile RotationStatus status;

  // Confined to the executor thread.
  private final Backoff backoff;
  private DatabaseCredentials pending;
  private ScheduledFuture<?> retry;
  private long failures;
  private long switches;
  private Instant lastSwitchAt;
  private Instant lastFailureAt;
  private String failureReason;

  RotationLoop(MountedSecrets secrets, String name,
      Function<SecretsSnapshot, DatabaseCredentials> source, Predicate<SecretsChangedEvent> relevant,
      CredentialsVerifier verifier, CredentialsApplier applier, Clock clock, Backoff backoff,
      ScheduledExecutorService executor) {
    this.secrets = secrets;
    this.name = name;
    this.source = source;
    this.verifier = verifier;
    this.applier = applier;
    this.clock = clock;
    this.backoff = backoff;
    this.executor = executor;
    try {
      this.current = source.apply(secrets.snapshot());
    } catch (RuntimeException e) {
      executor.shutdownNow();
      throw e;
    }
    this.status = new RotationStatus(RotationState.IN_SYNC, current.revision(), null, 0, 0, null,
        null, null);
    this.subscription = secrets.onChange(event -> {
      if (relevant.test(event)) {
        SecretsSnapshot snapshot = event.current();
        submit(() -> consider(snapshot));
      }
    });
    // A rotation between reading the credentials and subscribing is caught here.
    submit(() -> consider(secrets.snapshot()));
  }

  DatabaseCredentials current() {
    return current;
  }

  RotationStatus status() {
    return status;
  }

  Path directory() {
    return secrets.directory();
  }

  private void submit(Runnable task) {
    try {
      executor.execute(task);
    } catch (RejectedExecutionException e) {
      LOG.debug("{}: {}: closed; rotation ignored", secrets.directory(), name);
    }
  }

  private void consider(SecretsSnapshot snapshot) {
    DatabaseCredentials next;
    try {
      next = source.apply(snapshot);
    } catch (MountedSecretsException e) {
      LOG.warn("{}: {}: the mount no longer holds complete credentials ({}); keeping the ones in "
          + "use", secrets.directory(), name, e.getMessage());
      return;
    }
    cancelRetry();
    backoff.reset();
    if (next.equals(current)) {
      pending = null;
      publishStatus(RotationState.IN_SYNC);
      return;
    }
    pending = next;
    attempt();
  }

  private void attempt() {
    DatabaseCredentials target = pending;
    if (target == null) {
      return;
    }
    try {
      verifier.verify(target);
    } catch (Exception e) {
      failed(target, "refused by the database", e);
      return;
    }
    // The database accepted the pair: hand it out from now on, before the pool is switched,
    // so that connections a pool opens during the switch already use it.
    DatabaseCredentials previous = current;
    current = target;
    try {
      applier.apply(target);
    } catch (Exception e) {
      current = previous;
      failed(target, "could not be applied to the pool", e);
      return;
    }
    pending = null;
    backoff.reset();
    failures = 0;
    failureReason = null;
    switches++;
    lastSwitchAt = clock.instant();
    publishStatus(RotationState.IN_SYNC);
    LOG.info("{}: {}: switched to the credentials of revision {} after a successful check",
        secrets.directory(), name, target.revision());
  }

  private void failed(DatabaseCredentials target, String what, Exception e) {
    failures++;
    lastFailureAt = clock.instant();
    failureReason = "new credentials (revision " + target.revision() + ") " + what + ": "
        + RotationStatus.describe(e);
    Duration wait = backoff.next();
    publishStatus(RotationState.RETRYING);
    if (failures == 1) {
      LOG.warn("{}: {}: {}; keeping the credentials in use (revision {}), retrying in {} ms",
          secrets.directory(), name, failureReason, current.revision(), wait.toMillis());
    } else {
      LOG.debug("{}: {}: attempt {} failed: {}; retrying in {} ms", secrets.directory(), name,
          failures, failureReason, wait.toMillis());
    }
    try {
      retry = executor.schedule(this::attempt, wait.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException closed) {
      LOG.debug("{}: {}: closed; no retry", secrets.directory(), name);
    }
  }

  private void cancelRetry() {
    if (retry != null) {
      retry.cancel(false);
      retry = null;
    }
  }

  private void publishStatus(RotationState state) {
    DatabaseCredentials waiting = pending;
    status = new RotationStatus(state, current.revision(), waiting == null ? null : waiting.revision(),
        failures, switches, lastSwitchAt, lastFailureAt,
        state == RotationState.IN_SYNC ? null : failureReason);
  }

  void close() {
    subscription.close();
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
