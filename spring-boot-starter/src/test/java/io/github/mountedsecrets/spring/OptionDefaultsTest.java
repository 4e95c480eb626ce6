package io.github.mountedsecrets.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mountedsecrets.MountedSecretsOption;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.beans.BeanWrapper;
import org.springframework.beans.BeanWrapperImpl;
import org.springframework.util.unit.DataSize;

/**
 * Every core option is a starter property of the same name (in Spring's spelling) with the
 * same default: a default that drifts from core's fails here.
 */
class OptionDefaultsTest {

  @ParameterizedTest
  @EnumSource(MountedSecretsOption.class)
  void eachCoreOptionIsAPropertyWithCoresDefault(MountedSecretsOption option) {
    BeanWrapper properties = new BeanWrapperImpl(new MountedSecretsProperties());
    assertThat(properties.isReadableProperty(option.builderName()))
        .as("mounted-secrets.%s exists", option.propertyName()).isTrue();
    Object value = properties.getPropertyValue(option.builderName());
    if (value instanceof DataSize) {
      value = ((DataSize) value).toBytes();
    }
    if (value instanceof Integer && option.defaultValue() instanceof Long) {
      value = ((Integer) value).longValue();
    }
    assertThat(value).as("default of mounted-secrets.%s", option.propertyName())
        .isEqualTo(option.defaultValue());
  }

  @ParameterizedTest
  @EnumSource(MountedSecretsOption.class)
  void errorsNameTheSpringPropertyFollowedByCoresReason(MountedSecretsOption option) {
    assertThat(MountedSecretsFactory.propertyName(option)).endsWith("mounted-secrets."
        + option.propertyName());
  }
}
