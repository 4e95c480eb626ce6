package io.github.mountedsecrets.spring.actuate;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.actuate.autoconfigure.OnEndpointElementCondition;
import org.springframework.context.annotation.Conditional;

/**
 * Spring Boot 3.5's {@code @ConditionalOnEnabledHealthIndicator}, for a jar compiled against
 * Spring Boot 4 (which moved that annotation to
 * {@code org.springframework.boot.health.autoconfigure.contributor}): the same rule, from the
 * same Spring Boot class ({@link OnEndpointElementCondition}, present on both lines): enabled
 * when {@code management.health.<name>.enabled} says so, otherwise when
 * {@code management.health.defaults.enabled} does (true when unset).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@Conditional(ConditionalOnEnabledBoot3HealthIndicator.OnEnabledHealthIndicatorCondition.class)
@interface ConditionalOnEnabledBoot3HealthIndicator {
  /**
   * Returns the name of the health indicator.
   *
   * @return the name, as in {@code management.health.<name>.enabled}
   */
  String value();

  /** Spring Boot's rule for endpoint elements, under {@code management.health.}. */
  final class OnEnabledHealthIndicatorCondition extends OnEndpointElementCondition {
    OnEnabledHealthIndicatorCondition() {
      super("management.health.", ConditionalOnEnabledBoot3HealthIndicator.class);
    }
  }
}
