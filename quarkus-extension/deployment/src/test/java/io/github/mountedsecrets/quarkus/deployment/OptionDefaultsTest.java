package io.github.mountedsecrets.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mountedsecrets.MountedSecretsOption;
import io.github.mountedsecrets.quarkus.MountedSecretsConfig;
import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.lang.reflect.Method;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every core option is an extension property of the same name (in Quarkus' spelling) with the
 * same default: a {@code @WithDefault} that drifts from core's fails here.
 */
class OptionDefaultsTest {

  @ParameterizedTest
  @EnumSource(MountedSecretsOption.class)
  void eachCoreOptionIsAPropertyWithCoresDefault(MountedSecretsOption option) throws Exception {
    SmallRyeConfig config = new SmallRyeConfigBuilder()
        .withConverter(MemorySize.class, 100, new MemorySizeConverter())
        .withConverter(Duration.class, 100, new DurationConverter())
        .withMapping(MountedSecretsConfig.class)
        .build();
    MountedSecretsConfig mapping = config.getConfigMapping(MountedSecretsConfig.class);
    Method accessor = MountedSecretsConfig.class.getMethod(option.builderName());
    Object value = accessor.invoke(mapping);
    if (value instanceof MemorySize) {
      value = ((MemorySize) value).asLongValue();
    }
    if (value instanceof Integer && option.defaultValue() instanceof Long) {
      value = ((Integer) value).longValue();
    }
    assertThat(value).as("default of quarkus.mounted-secrets.%s", option.propertyName())
        .isEqualTo(option.defaultValue());
  }
}
