package io.github.mountedsecrets.spring;

import io.github.mountedsecrets.SecretsChangedEvent;
import java.util.function.Consumer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.context.environment.EnvironmentChangeEvent;
import org.springframework.cloud.context.scope.refresh.RefreshScope;
import org.springframework.context.ApplicationContext;

/**
 * With Spring Cloud Context on the class path: publishes an {@link EnvironmentChangeEvent}
 * naming the changed keys, so that {@code @ConfigurationProperties} beans are rebound, then
 * refreshes the {@link RefreshScope} (when there is one), so that {@code @RefreshScope} beans
 * are created again from the live values. The environment itself needs no refresh: the
 * mount's property source always reads the current snapshot.
 */
final class EnvironmentChangePublisher implements Consumer<SecretsChangedEvent> {
  private final ApplicationContext context;
  private final ObjectProvider<RefreshScope> refreshScope;

  EnvironmentChangePublisher(ApplicationContext context, ObjectProvider<RefreshScope> refreshScope) {
    this.context = context;
    this.refreshScope = refreshScope;
  }

  @Override
  public void accept(SecretsChangedEvent event) {
    context.publishEvent(new EnvironmentChangeEvent(context, event.keys()));
    RefreshScope scope = refreshScope.getIfUnique();
    if (scope != null) {
      scope.refreshAll();
    }
  }
}
