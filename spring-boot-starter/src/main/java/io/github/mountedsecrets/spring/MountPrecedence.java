package io.github.mountedsecrets.spring;

import java.util.List;
import java.util.stream.Collectors;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ApplicationListener;
import org.springframework.core.Ordered;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;

/**
 * Applies {@code mounted-secrets.precedence}: with {@code ahead-of-environment}, moves every
 * imported mount just above the OS environment variables ({@code systemEnvironment}), once the
 * configuration data has been loaded. The default, {@code config-data}, leaves the mounts where
 * Spring Boot puts imported configuration. Spring Cloud's refresh replaces a property source in
 * place, so the position holds.
 */
final class MountPrecedence implements ApplicationListener<ApplicationEnvironmentPreparedEvent>, Ordered {
  /** Just after Spring Boot's environment post-processors, which load the configuration data. */
  static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 11;

  @Override
  public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
    MutablePropertySources sources = event.getEnvironment().getPropertySources();
    String anchor = StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME;
    if (!MountPlaceholders.anyMount(sources) || !sources.contains(anchor)) {
      return;
    }
    MountedSecretsProperties.Precedence precedence = Binder.get(event.getEnvironment())
        .bind(MountedSecretsProperties.PREFIX + ".precedence", MountedSecretsProperties.Precedence.class)
        .orElse(MountedSecretsProperties.Precedence.CONFIG_DATA);
    if (precedence != MountedSecretsProperties.Precedence.AHEAD_OF_ENVIRONMENT) {
      return;
    }
    List<PropertySource<?>> mounts = sources.stream()
        .filter(MountedSecretsPropertySource.class::isInstance).collect(Collectors.toList());
    for (PropertySource<?> mount : mounts) {
      sources.remove(mount.getName());
      sources.addBefore(anchor, mount);
    }
  }

  @Override
  public int getOrder() {
    return ORDER;
  }
}
