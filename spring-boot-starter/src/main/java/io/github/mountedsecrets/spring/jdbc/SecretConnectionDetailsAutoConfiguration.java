package io.github.mountedsecrets.spring.jdbc;

import io.github.mountedsecrets.spring.MountedSecretsAutoConfiguration;
import io.github.mountedsecrets.spring.MountedSecretsProperties;
import org.springframework.beans.factory.BeanClassLoaderAware;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotationMetadata;

/**
 * Auto-configuration of a data source from one RDS-style JSON secret: with
 * {@code mounted-secrets.datasource.secret=prod-db}, a {@code JdbcConnectionDetails} bean gives
 * Spring Boot's data source auto-configuration the JDBC URL (from the secret's engine, host,
 * port and dbname), username and password, so that no {@code spring.datasource.url},
 * {@code username} or {@code password} is needed. HikariCP pools built from it follow the
 * secret's rotations like any other (see {@link DataSourceRotationAutoConfiguration}).
 *
 * <p>{@code JdbcConnectionDetails} moved from {@code org.springframework.boot.autoconfigure.jdbc}
 * (3.5) to {@code org.springframework.boot.jdbc.autoconfigure} (4); the bean implements
 * whichever of the two this application has (see {@link SecretJdbcConnectionDetails}), and is
 * registered before Spring Boot's data source auto-configuration looks for one.
 */
@AutoConfiguration(after = MountedSecretsAutoConfiguration.class, beforeName = {
    "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
    "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration"})
@ConditionalOnProperty(prefix = "mounted-secrets.datasource", name = "secret")
@Import(SecretConnectionDetailsAutoConfiguration.Registrar.class)
public class SecretConnectionDetailsAutoConfiguration {
  /** Creates the auto-configuration; Spring does this. */
  public SecretConnectionDetailsAutoConfiguration() {}

  /** Registers the connection details under the name of the line's interface. */
  static final class Registrar implements ImportBeanDefinitionRegistrar, BeanFactoryAware,
      BeanClassLoaderAware, EnvironmentAware {
    static final String BEAN_NAME = "mountedSecretsJdbcConnectionDetails";

    private BeanFactory beanFactory;
    private ClassLoader classLoader;
    private Environment environment;

    @Override
    public void setBeanFactory(BeanFactory beanFactory) {
      this.beanFactory = beanFactory;
    }

    @Override
    public void setBeanClassLoader(ClassLoader classLoader) {
      this.classLoader = classLoader;
    }

    @Override
    public void setEnvironment(Environment environment) {
      this.environment = environment;
    }

    @Override
    public void registerBeanDefinitions(AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
      Class<?> type = SecretJdbcConnectionDetails.interfaceType(classLoader);
      String secret = environment.getProperty(MountedSecretsProperties.PREFIX + ".datasource.secret", "").trim();
      if (type == null || secret.isEmpty() || registry.containsBeanDefinition(BEAN_NAME)) {
        return;
      }
      BeanFactory factory = beanFactory;
      RootBeanDefinition definition = new RootBeanDefinition(Object.class,
          () -> SecretJdbcConnectionDetails.create(type, secret, factory));
      definition.setTargetType(type);
      registry.registerBeanDefinition(BEAN_NAME, definition);
    }
  }
}
