package io.github.mountedsecrets.spring.ssl;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** Matches when at least one {@code mounted-secrets.ssl.bundle.<name>} is configured. */
final class BundlesConfigured extends SpringBootCondition {
  @Override
  public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
    boolean any = Binder.get(context.getEnvironment())
        .bind("mounted-secrets.ssl.bundle",
            Bindable.mapOf(String.class, MountedSecretsSslProperties.Bundle.class))
        .map(bundles -> !bundles.isEmpty())
        .orElse(false);
    return any ? ConditionOutcome.match("mounted-secrets.ssl.bundle is configured")
        : ConditionOutcome.noMatch("no mounted-secrets.ssl.bundle is configured");
  }
}
