package io.github.mountedsecrets.quarkus.it;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** A registry for the test application, which has no registry extension. */
@Singleton
public class TestMeterRegistry {
  @Produces
  @Singleton
  MeterRegistry registry() {
    return new SimpleMeterRegistry();
  }
}
