package io.github.mountedsecrets.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Configures the {@link SecretsMount} that {@link SecretsMountExtension} injects into the annotated
 * test method, lifecycle method or constructor parameter.
 *
 * <p>The annotation registers the extension itself, so {@code @Mount SecretsMount mount} works
 * without {@code @ExtendWith}. Unannotated {@code SecretsMount} parameters need the extension
 * registered on the class and get an {@link SecretsMount.Layout#ATOMIC_WRITER} mount named
 * {@code secrets-store}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
@ExtendWith(SecretsMountExtension.class)
public @interface Mount {

  /**
   * Returns the layout the injected mount writes.
   *
   * @return the layout, {@link SecretsMount.Layout#ATOMIC_WRITER} unless set
   */
  SecretsMount.Layout value() default SecretsMount.Layout.ATOMIC_WRITER;

  /**
   * Returns the name of the mount directory inside the fresh temp directory.
   *
   * @return a single directory name, {@code secrets-store} unless set
   */
  String name() default SecretsMountExtension.DEFAULT_NAME;
}
