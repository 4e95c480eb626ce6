package io.github.mountedsecrets.quarkus;

import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.SecretsChangedEvent;
import io.github.mountedsecrets.Subscription;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.event.Event;
import jakarta.inject.Singleton;
import java.util.concurrent.RejectedExecutionException;

/**
 * Fires each {@link SecretsChangedEvent} of the mount as a CDI event, to synchronous
 * observers ({@code @Observes}) on the mount's event thread, then to asynchronous ones
 * ({@code @ObservesAsync}). An exception thrown by a synchronous observer is logged by the
 * core (its type only) and does not stop later events.
 */
@Startup
@Singleton
public final class ChangeEventBridge {
  private final Subscription subscription;

  ChangeEventBridge(MountedSecrets secrets, Event<SecretsChangedEvent> events) {
    this.subscription = secrets.onChange(event -> {
      try {
        events.fireAsync(event);
      } catch (RejectedExecutionException e) {
        // shutting down: asynchronous observers miss this event, synchronous ones still run
      }
      events.fire(event);
    });
  }

  @PreDestroy
  void close() {
    subscription.close();
  }
}
