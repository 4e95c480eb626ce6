package io.github.mountedsecrets.examples.rotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.mountedsecrets.test.SecretsMount;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RotationDemoOptionsTest {
  @Test
  void defaultsRunTheSpringServiceOnTheAtomicWriter() {
    RotationDemo.Options options = RotationDemo.Options.parse();
    assertThat(options.service).isEqualTo(ServiceProcess.Kind.SPRING);
    assertThat(options.jar).isEqualTo(Path.of("examples/spring-boot-service/target/orders-spring.jar"));
    assertThat(options.layout).isEqualTo(SecretsMount.Layout.ATOMIC_WRITER);
    assertThat(options.interval).isEqualTo(Duration.ofSeconds(5));
    assertThat(options.rotations).isZero();
    assertThat(options.threads).isEqualTo(4);
  }

  @Test
  void quarkusAndTheOtherOptions() {
    RotationDemo.Options options = RotationDemo.Options.parse("--service", "quarkus", "--layout", "file-by-file",
        "--interval", "3s", "--rotations", "7", "--threads", "2", "--verbose");
    assertThat(options.service).isEqualTo(ServiceProcess.Kind.QUARKUS);
    assertThat(options.jar).isEqualTo(Path.of("examples/quarkus-service/target/quarkus-app/quarkus-run.jar"));
    assertThat(options.layout).isEqualTo(SecretsMount.Layout.FILE_BY_FILE);
    assertThat(options.interval).isEqualTo(Duration.ofSeconds(3));
    assertThat(options.rotations).isEqualTo(7);
    assertThat(options.threads).isEqualTo(2);
    assertThat(options.verbose).isTrue();
  }

  @Test
  void badValuesAreNamed() {
    assertThatThrownBy(() -> RotationDemo.Options.parse("--service", "micronaut"))
        .hasMessage("--service must be spring or quarkus, but was micronaut");
    assertThatThrownBy(() -> RotationDemo.Options.parse("--interval", "0s"))
        .hasMessage("--interval must be at least 1s, but was 0s");
    assertThatThrownBy(() -> RotationDemo.Options.parse("--threads", "x"))
        .hasMessage("--threads must be a number, but was x");
    assertThatThrownBy(() -> RotationDemo.Options.parse("--bogus", "1"))
        .hasMessage("unknown option: --bogus");
    assertThatThrownBy(() -> RotationDemo.Options.parse("--layout"))
        .hasMessage("unknown option or missing value: --layout");
  }
}
