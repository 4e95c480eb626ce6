package io.github.mountedsecrets.quarkus.deployment;

import io.github.mountedsecrets.SecretsChangedEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/** Collects the CDI events the extension fires, synchronous and asynchronous. */
@ApplicationScoped
public class ChangeEventObserver {
  static final BlockingQueue<SecretsChangedEvent> SYNC = new LinkedBlockingQueue<>();
  static final BlockingQueue<SecretsChangedEvent> ASYNC = new LinkedBlockingQueue<>();
  static final BlockingQueue<String> THREADS = new LinkedBlockingQueue<>();

  void onChange(@Observes SecretsChangedEvent event) {
    THREADS.add(Thread.currentThread().getName());
    SYNC.add(event);
  }

  void onChangeAsync(@ObservesAsync SecretsChangedEvent event) {
    ASYNC.add(event);
  }
}
