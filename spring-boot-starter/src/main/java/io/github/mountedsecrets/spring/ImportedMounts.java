package io.github.mountedsecrets.spring;

import io.github.mountedsecrets.MountedSecrets;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.context.config.ConfigDataLoaderContext;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The mounts one application imported, kept in its bootstrap context so that each directory
 * has exactly one {@link MountedSecrets}: a second import of the same directory, or a second
 * pass over the imports (Spring Cloud's refresh reuses the bootstrap context), gets the same
 * instance. When the bootstrap context closes, each instance is registered in the application
 * context as a bean ({@code mountedSecrets} for the first directory, which is primary, then
 * {@code mountedSecrets[<directory>]}) that the context closes on shutdown.
 *
 * <h2>Reaching the bootstrap context on both Spring Boot lines</h2>
 *
 * <p>Spring Boot 4 moved {@code BootstrapRegistry}, {@code ConfigurableBootstrapContext} and
 * {@code BootstrapContextClosedEvent} from {@code org.springframework.boot} to
 * {@code org.springframework.boot.bootstrap}. {@code ConfigDataLoaderContext.getBootstrapContext()}
 * therefore returns a different type on each line, and a call compiled against one line fails
 * with {@code NoSuchMethodError} on the other. The members used here ({@code
 * getBootstrapContext}, {@code isRegistered}, {@code get}, {@code register} with {@code
 * InstanceSupplier.of}, {@code addCloseListener}, and the event's {@code
 * getApplicationContext}) keep their names and shapes on both lines, so they are
 * called reflectively, here and nowhere else.
 */
final class ImportedMounts {
  private final Map<Path, MountedSecrets> mounts = new LinkedHashMap<>();

  private ImportedMounts() {}

  /**
   * Returns the instance of a directory, building it on first use.
   */
  synchronized MountedSecrets getOrCreate(Path directory, Supplier<MountedSecrets> factory) {
    MountedSecrets secrets = mounts.get(directory);
    if (secrets == null) {
      secrets = factory.get();
      mounts.put(directory, secrets);
    }
    return secrets;
  }

  private synchronized Map<Path, MountedSecrets> snapshot() {
    return new LinkedHashMap<>(mounts);
  }

  private void registerBeans(ConfigurableApplicationContext context) {
    if (!(context.getBeanFactory() instanceof BeanDefinitionRegistry)) {
      throw new IllegalStateException("Cannot register the imported secrets mounts as beans: the "
          + "bean factory of " + context.getClass().getName() + " is not a BeanDefinitionRegistry");
    }
    BeanDefinitionRegistry registry = (BeanDefinitionRegistry) context.getBeanFactory();
    boolean first = true;
    for (Map.Entry<Path, MountedSecrets> entry : snapshot().entrySet()) {
      String name = first ? "mountedSecrets" : "mountedSecrets[" + entry.getKey() + "]";
      if (registry.containsBeanDefinition(name)) {
        continue;
      }
      MountedSecrets secrets = entry.getValue();
      RootBeanDefinition definition = new RootBeanDefinition(MountedSecrets.class, () -> secrets);
      definition.setDestroyMethodName("close");
      definition.setPrimary(first);
      registry.registerBeanDefinition(name, definition);
      first = false;
    }
  }

  /**
   * Returns the mounts of the application whose configuration is being loaded, registering
   * them in its bootstrap context on first use.
   */
  static ImportedMounts of(ConfigDataLoaderContext context) {
    try {
      Method getBootstrapContext = ConfigDataLoaderContext.class.getMethod("getBootstrapContext");
      Object bootstrap = getBootstrapContext.invoke(context);
      Class<?> type = getBootstrapContext.getReturnType();
      if ((Boolean) type.getMethod("isRegistered", Class.class).invoke(bootstrap, ImportedMounts.class)) {
        return (ImportedMounts) type.getMethod("get", Class.class).invoke(bootstrap, ImportedMounts.class);
      }
      ImportedMounts mounts = new ImportedMounts();
      Method register = null;
      for (Method method : type.getMethods()) {
        if (method.getName().equals("register") && method.getParameterCount() == 2) {
          register = method;
        }
      }
      if (register == null) {
        throw new NoSuchMethodException(type.getName() + ".register(Class, InstanceSupplier)");
      }
      Class<?> instanceSupplier = register.getParameterTypes()[1];
      Object supplier = instanceSupplier.getMethod("of", Object.class).invoke(null, mounts);
      register.invoke(bootstrap, ImportedMounts.class, supplier);
      ApplicationListener<ApplicationEvent> onClose = event -> mounts.registerBeans(applicationContext(event));
      type.getMethod("addCloseListener", ApplicationListener.class).invoke(bootstrap, onClose);
      return mounts;
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException) {
        throw (RuntimeException) cause;
      }
      throw new IllegalStateException("Spring Boot's bootstrap context refused the secrets mounts", cause);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("This Spring Boot version's bootstrap context is not supported "
          + "by mounted-secrets (supported: 3.5 and 4.x): " + e, e);
    }
  }

  private static ConfigurableApplicationContext applicationContext(ApplicationEvent event) {
    try {
      return (ConfigurableApplicationContext) event.getClass().getMethod("getApplicationContext")
          .invoke(event);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("Unexpected bootstrap event " + event.getClass().getName(), e);
    }
  }
}
