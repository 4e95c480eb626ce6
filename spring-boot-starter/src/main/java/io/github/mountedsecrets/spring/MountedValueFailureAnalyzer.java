package io.github.mountedsecrets.spring;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.springframework.beans.TypeMismatchException;
import org.springframework.beans.factory.UnsatisfiedDependencyException;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.core.Ordered;
import org.springframework.core.convert.ConversionFailedException;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;

/**
 * Keeps a mount's values out of the report of a start that failed converting one: a mount key
 * bound to an {@code int}, a {@code Duration} or an enum through {@code @ConfigurationProperties}
 * or {@code @Value}. Spring's own report quotes the value ({@code For input string: "..."}).
 * This analyzer runs first; when the value that failed to convert is one a mount serves, or
 * holds one (a placeholder inside a longer value), it reports the failure itself: the property,
 * the target type and the exception types, never their messages, since Spring quotes the value
 * in forms no masking would catch (cut to 100 characters, spaces removed, trimmed). Spring Boot
 * then logs the exception only at DEBUG, and prints no stack trace.
 *
 * <p>One line it cannot reach: when a {@code @Value} field fails, Spring's application context
 * logs the exception's message at WARN before any analyzer runs ("Exception encountered during
 * context initialization"); binding through {@code @ConfigurationProperties} does not quote the
 * value there.
 */
final class MountedValueFailureAnalyzer implements FailureAnalyzer, Ordered {
  /**
   * Shorter values (a port, {@code true}, a user name) count only when they are the whole value
   * that failed, not when a longer value merely holds them.
   */
  private static final int MIN_CONTAINED_LENGTH = 4;

  private final Environment environment;

  MountedValueFailureAnalyzer(Environment environment) {
    this.environment = environment;
  }

  @Override
  public FailureAnalysis analyze(Throwable failure) {
    if (!(environment instanceof ConfigurableEnvironment)) {
      return null;
    }
    List<Throwable> chain = chain(failure);
    Set<String> failed = new LinkedHashSet<>();
    String property = null;
    String target = null;
    for (Throwable t : chain) {
      Object value = null;
      if (t instanceof ConversionFailedException) {
        value = ((ConversionFailedException) t).getValue();
        if (target == null && ((ConversionFailedException) t).getTargetType() != null) {
          target = ((ConversionFailedException) t).getTargetType().toString();
        }
      } else if (t instanceof TypeMismatchException) {
        value = ((TypeMismatchException) t).getValue();
        if (property == null) {
          property = ((TypeMismatchException) t).getPropertyName();
        }
        if (target == null && ((TypeMismatchException) t).getRequiredType() != null) {
          target = ((TypeMismatchException) t).getRequiredType().getName();
        }
      } else if (t instanceof UnsatisfiedDependencyException && property == null
          && ((UnsatisfiedDependencyException) t).getInjectionPoint() != null) {
        // A @Value field or parameter: its name.
        property = ((UnsatisfiedDependencyException) t).getInjectionPoint().getMember().getName();
      } else if (t instanceof BindException && property == null) {
        BindException bind = (BindException) t;
        property = bind.getProperty() != null ? bind.getProperty().getName().toString()
            : bind.getName().toString();
      }
      if (value instanceof CharSequence) {
        failed.add(value.toString());
      }
    }
    if (failed.isEmpty() || !servesAny(failed)) {
      return null;
    }
    StringBuilder description = new StringBuilder("A value from the secrets mount could not be "
        + "converted");
    if (property != null) {
      description.append(" for '").append(property).append('\'');
    }
    if (target != null) {
      description.append(" to ").append(target);
    }
    description.append("; the value is not shown, nor are the messages of the failure, which "
        + "quote it (cut short, or with its spaces removed, where masking it would miss it).\n"
        + "\nThe failure, outermost first:");
    for (Throwable t : chain) {
      description.append("\n    ").append(t.getClass().getName());
    }
    return new FailureAnalysis(description.toString(),
        "Put a value of the type the property needs (a number, a duration such as 30s, one of "
            + "the enum's names) in the mount key behind it, or bind the property to a String. "
            + "The value is not shown because it comes from the secrets mount.",
        failure);
  }

  /** Whether a mount serves a value that is, or is held in, a value that failed to convert. */
  private boolean servesAny(Set<String> failed) {
    for (PropertySource<?> source : ((ConfigurableEnvironment) environment).getPropertySources()) {
      if (!(source instanceof MountedSecretsPropertySource)) {
        continue;
      }
      MountedSecretsPropertySource mount = (MountedSecretsPropertySource) source;
      for (String name : mount.getPropertyNames()) {
        String text = mount.value(name);
        if (text == null || text.isEmpty()) {
          continue;
        }
        for (String candidate : failed) {
          if (candidate.equals(text)
              || (text.length() >= MIN_CONTAINED_LENGTH && candidate.contains(text))) {
            return true;
          }
        }
      }
    }
    return false;
  }

  private static List<Throwable> chain(Throwable failure) {
    List<Throwable> chain = new ArrayList<>();
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Throwable t = failure; t != null && seen.add(t); t = t.getCause()) {
      chain.add(t);
    }
    return chain;
  }

  @Override
  public int getOrder() {
    return Ordered.HIGHEST_PRECEDENCE;
  }
}
