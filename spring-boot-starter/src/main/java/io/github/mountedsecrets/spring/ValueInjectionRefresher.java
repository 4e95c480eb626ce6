package io.github.mountedsecrets.spring;

import io.github.mountedsecrets.SecretsChangedEvent;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.config.DependencyDescriptor;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.BridgeMethodResolver;
import org.springframework.core.MethodParameter;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Injects {@code @Value} fields and setter methods of singleton beans again after each
 * rotation, when their expression reaches a key of an imported mount. Spring itself resolves
 * the value, exactly as at startup: placeholders against the environment, then SpEL, then the
 * bean factory's type converter ({@code int}, {@code Duration}, ...).
 *
 * <p>As a bean post-processor it records, for every singleton it sees created, the injection
 * points whose placeholders (directly, or through other properties) name a key a mount serves,
 * or a key no property source holds yet (a mount may serve it later; the default applies until
 * then). Beans of other scopes are left alone: each new prototype instance gets the current
 * value anyway, and a scoped or refresh-scoped bean is created again by its scope. Lazy
 * singletons are recorded once created. Constructor and factory-method parameters and final
 * fields cannot be injected again: one warning at startup names each (bean and key, never the
 * value) with the alternatives.
 *
 * <h2>Concurrency</h2>
 *
 * <p>Beans are recorded on the threads that create them and re-injected on the mount's event
 * thread, before any {@code SecretsChangedEvent} listener runs; the list of injection points
 * is copy-on-write. A field written on the event thread is an ordinary write: another thread
 * may read the previous value until it next synchronizes with the event thread (in practice,
 * shortly). Read {@code Environment} or {@code MountedSecrets} where that matters. A value that
 * no longer resolves or converts is logged (its key and exception type) and the field keeps
 * its previous value.
 */
final class ValueInjectionRefresher
    implements BeanPostProcessor, BeanFactoryAware, EnvironmentAware, DisposableBean,
    Consumer<SecretsChangedEvent> {
  private static final Logger LOG = LoggerFactory.getLogger(ValueInjectionRefresher.class);

  private final Map<Class<?>, List<Member>> members = new ConcurrentHashMap<>();
  private final List<Injection> injections = new CopyOnWriteArrayList<>();
  private ConfigurableListableBeanFactory beanFactory;
  private ConfigurableEnvironment environment;

  @Override
  public void setBeanFactory(BeanFactory beanFactory) {
    this.beanFactory = (ConfigurableListableBeanFactory) beanFactory;
  }

  @Override
  public void setEnvironment(Environment environment) {
    this.environment = (ConfigurableEnvironment) environment;
  }

  @Override
  public Object postProcessBeforeInitialization(Object bean, String beanName) throws BeansException {
    if (!MountPlaceholders.anyMount(environment.getPropertySources())
        || !beanFactory.containsBeanDefinition(beanName)) {
      return bean;
    }
    BeanDefinition definition = beanFactory.getMergedBeanDefinition(beanName);
    if (!definition.isSingleton()) {
      return bean;
    }
    for (Member member : members.computeIfAbsent(bean.getClass(), ValueInjectionRefresher::members)) {
      MountPlaceholders.Keys keys = MountPlaceholders.of(environment.getPropertySources(),
          member.expression);
      if (member.fixed) {
        warnFixed(beanName, member.description, keys);
      } else if (!keys.isEmpty()) {
        injections.add(new Injection(bean, beanName, member, keys));
      }
    }
    warnParameters(bean, beanName, definition);
    return bean;
  }

  /** Injects again the points that read a changed key; runs on the mount's event thread. */
  @Override
  public void accept(SecretsChangedEvent event) {
    for (Injection injection : injections) {
      if (injection.keys.affectedBy(event.keys())) {
        injection.inject();
      }
    }
  }

  @Override
  public void destroy() {
    injections.clear();
  }

  private void warnParameters(Object bean, String beanName, BeanDefinition definition) {
    List<Executable> executables = new ArrayList<>();
    Method factoryMethod = definition instanceof RootBeanDefinition
        ? ((RootBeanDefinition) definition).getResolvedFactoryMethod() : null;
    if (factoryMethod != null) {
      executables.add(factoryMethod);
    } else {
      for (Constructor<?> constructor : ClassUtils.getUserClass(bean).getDeclaredConstructors()) {
        executables.add(constructor);
      }
    }
    for (Executable executable : executables) {
      Parameter[] parameters = executable.getParameters();
      for (int i = 0; i < parameters.length; i++) {
        String expression = expression(parameters[i]);
        if (expression != null) {
          String name = parameters[i].isNamePresent() ? "'" + parameters[i].getName() + "'" : "#" + i;
          String kind = executable instanceof Method
              ? "parameter " + name + " of factory method '" + executable.getName() + "'"
              : "constructor parameter " + name;
          warnFixed(beanName, kind,
              MountPlaceholders.of(environment.getPropertySources(), expression));
        }
      }
    }
  }

  private static void warnFixed(String beanName, String description, MountPlaceholders.Keys keys) {
    for (Map.Entry<String, Path> key : keys.served.entrySet()) {
      LOG.warn("{}: bean '{}' receives '{}' through its {}, which cannot be injected again: it "
          + "keeps its startup value after a rotation. Use a non-final @Value field or setter "
          + "(injected again on each rotation), read Environment or MountedSecrets when the "
          + "value is needed, or listen for SecretsChangedEvent", key.getValue(), beanName,
          key.getKey(), description);
    }
  }

  private static List<Member> members(Class<?> type) {
    List<Member> found = new ArrayList<>();
    for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
      ReflectionUtils.doWithLocalFields(c, field -> {
        String expression = expression(field);
        if (expression != null && !Modifier.isStatic(field.getModifiers())) {
          boolean fixed = Modifier.isFinal(field.getModifiers());
          found.add(new Member(field, null, expression, fixed,
              (fixed ? "final field '" : "field '") + field.getName() + "'"));
        }
      });
      ReflectionUtils.doWithLocalMethods(c, method -> {
        Method bridged = BridgeMethodResolver.findBridgedMethod(method);
        String expression = expression(bridged);
        if (expression != null && method.equals(bridged) && !Modifier.isStatic(method.getModifiers())
            && method.getParameterCount() == 1) {
          found.add(new Member(null, method, expression, false, "method '" + method.getName() + "'"));
        }
      });
    }
    return found;
  }

  private static String expression(AnnotatedElement element) {
    Value value = AnnotatedElementUtils.findMergedAnnotation(element, Value.class);
    return value == null ? null : value.value();
  }

  /** A field or setter annotated with {@code @Value}. */
  private static final class Member {
    final Field field;
    final Method method;
    final String expression;
    final boolean fixed;
    final String description;

    Member(Field field, Method method, String expression, boolean fixed, String description) {
      this.field = field;
      this.method = method;
      this.expression = expression;
      this.fixed = fixed;
      this.description = description;
      if (field != null) {
        ReflectionUtils.makeAccessible(field);
      } else {
        ReflectionUtils.makeAccessible(method);
      }
    }
  }

  /** One injection point of one singleton, with the keys its expression reaches. */
  private final class Injection {
    final Object bean;
    final String beanName;
    final Member member;
    final MountPlaceholders.Keys keys;

    Injection(Object bean, String beanName, Member member, MountPlaceholders.Keys keys) {
      this.bean = bean;
      this.beanName = beanName;
      this.member = member;
      this.keys = keys;
    }

    void inject() {
      try {
        DependencyDescriptor descriptor = member.field != null
            ? new DependencyDescriptor(member.field, true)
            : new DependencyDescriptor(new MethodParameter(member.method, 0), true);
        Object value = beanFactory.resolveDependency(descriptor, beanName, null,
            beanFactory.getTypeConverter());
        if (member.field != null) {
          member.field.set(bean, value);
        } else {
          member.method.invoke(bean, value);
        }
        LOG.debug("{}: bean '{}': @Value {} injected again", mount(), beanName, member.description);
      } catch (Exception | LinkageError e) {
        // The message of a conversion or setter failure may quote the value.
        LOG.warn("{}: bean '{}': @Value {} (keys {}) could not be injected again ({}); it keeps "
            + "its previous value", mount(), beanName, member.description, keys.served.keySet(),
            e.getClass().getName());
      }
    }

    private Object mount() {
      return keys.served.isEmpty() ? "mounted-secrets" : keys.served.values().iterator().next();
    }
  }
}
