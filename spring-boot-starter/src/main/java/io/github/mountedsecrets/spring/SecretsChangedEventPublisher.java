package io.github.mountedsecrets.spring;

import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.SecretsChangedEvent;
import io.github.mountedsecrets.Subscription;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;

/**
 * Publishes each {@link SecretsChangedEvent} of every {@link MountedSecrets} bean as an
 * application event, so that {@code @EventListener void on(SecretsChangedEvent event)} works.
 * Before it, an optional hook runs (Spring Cloud's {@code EnvironmentChangeEvent}, so that
 * listeners already see rebound {@code @ConfigurationProperties}).
 *
 * <p>Events are published on the mount's event thread ({@code mounted-secrets-events[...]})
 * while the context is running. An exception thrown by a Spring listener is logged by core
 * (its type only) and does not stop later events.
 */
final class SecretsChangedEventPublisher implements SmartLifecycle {
  private final ObjectProvider<MountedSecrets> mounts;
  private final ApplicationEventPublisher publisher;
  private final Consumer<SecretsChangedEvent> before;
  private final List<Subscription> subscriptions = new ArrayList<>();
  private boolean running;

  SecretsChangedEventPublisher(ObjectProvider<MountedSecrets> mounts,
      ApplicationEventPublisher publisher, Consumer<SecretsChangedEvent> before) {
    this.mounts = mounts;
    this.publisher = publisher;
    this.before = before;
  }

  @Override
  public synchronized void start() {
    running = true;
    mounts.orderedStream().forEach(secrets -> subscriptions.add(secrets.onChange(event -> {
      before.accept(event);
      publisher.publishEvent(event);
    })));
  }

  @Override
  public synchronized void stop() {
    subscriptions.forEach(Subscription::close);
    subscriptions.clear();
    running = false;
  }

  @Override
  public synchronized boolean isRunning() {
    return running;
  }
}
