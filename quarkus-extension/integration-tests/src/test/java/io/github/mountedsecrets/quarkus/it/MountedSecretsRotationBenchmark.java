package io.github.mountedsecrets.quarkus.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** The rotation benchmark for an application using the {@code mounted-secrets} credentials provider. */
@QuarkusTest
@QuarkusTestResource(value = PostgresMountResource.class, restrictToAnnotatedClass = true)
class MountedSecretsRotationBenchmark {
  @Inject
  QueryService queries;

  @Test
  void rotateUnderLoad() {
    assertThat(RotationScenario.run("quarkus-mounted-secrets", queries)).isNotEmpty();
  }
}
