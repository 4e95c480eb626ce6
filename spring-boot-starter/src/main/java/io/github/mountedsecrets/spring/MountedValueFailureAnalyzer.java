package io.github.mountedsecrets.spring;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * holds one (a placeholder inside a longer value), it reports the failure itself with every
 * such value replaced by {@value #MASK}, naming the property. Spring Boot then logs the
 * exception only at DEBUG, and prints no stack trace.
 *
 * <p>One line it cannot reach: when a {@code @Value} field fails, Spring's application context
 * logs the exception's message at WARN before any analyzer runs ("Exception encountered during
 * context initialization"); binding through {@code @ConfigurationProperties} does not quote the
 * value there.
 */
final class MountedValueFailureAnalyzer implements FailureAnalyzer, Ordered {
  static final String MASK = "******";
  /** Shorter values (a port, {@code true}, a user name) are masked only when they are the whole value. */
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
    for (Throwable t : chain) {
      Object value = null;
      if (t instanceof ConversionFailedException) {
        value = ((ConversionFailedException) t).getValue();
      } else if (t instanceof TypeMismatchException) {
        value = ((TypeMismatchException) t).getValue();
        if (property == null) {
          property = ((TypeMismatchException) t).getPropertyName();
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
    if (failed.isEmpty()) {
      return null;
    }
    List<String> served = servedValuesIn(failed);
    if (served.isEmpty()) {
      return null;
    }
    StringBuilder description = new StringBuilder("A value from the secrets mount could not be "
        + "converted");
    if (property != null) {
      description.append(" for '").append(property).append('\'');
    }
    description.append("; the value is not shown.\n");
    for (Throwable t : chain) {
      description.append("\n    ").append(t.getClass().getName());
      if (t.getMessage() != null) {
        description.append(": ").append(mask(t.getMessage(), served));
      }
    }
    return new FailureAnalysis(description.toString(),
        "Put a value of the type the property needs (a number, a duration such as 30s, one of "
            + "the enum's names) in the mount key behind it, or bind the property to a String. "
            + "The value is not shown because it comes from the secrets mount.",
        failure);
  }

  /** The mounts' current values that are, or are held in, a value that failed to convert. */
  private List<String> servedValuesIn(Set<String> failed) {
    Set<String> served = new LinkedHashSet<>();
    for (PropertySource<?> source : ((ConfigurableEnvironment) environment).getPropertySources()) {
      if (!(source instanceof MountedSecretsPropertySource)) {
        continue;
      }
      MountedSecretsPropertySource mount = (MountedSecretsPropertySource) source;
      for (String name : mount.getPropertyNames()) {
        Object value = mount.getProperty(name);
        if (!(value instanceof String) || ((String) value).isEmpty()) {
          continue;
        }
        String text = (String) value;
        for (String candidate : failed) {
          if (candidate.equals(text)
              || (text.length() >= MIN_CONTAINED_LENGTH && candidate.contains(text))) {
            served.add(text);
          }
        }
      }
    }
    List<String> longestFirst = new ArrayList<>(served);
    longestFirst.sort(Comparator.comparingInt(String::length).reversed());
    return longestFirst;
  }

  /**
   * Replaces each value in a message; a short one only where it stands alone, so that masking
   * {@code app} leaves {@code application} readable.
   */
  static String mask(String message, List<String> values) {
    String masked = message;
    for (String value : values) {
      masked = value.length() >= MIN_CONTAINED_LENGTH ? masked.replace(value, MASK)
          : masked.replaceAll("(?<![\\p{L}\\p{N}])" + Pattern.quote(value)
              + "(?![\\p{L}\\p{N}])", Matcher.quoteReplacement(MASK));
    }
    return masked;
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
