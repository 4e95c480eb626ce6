package io.github.mountedsecrets.quarkus.deployment;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** A bean whose constructor takes a key of the mount once. */
@ApplicationScoped
public class FrozenConstructorBean {
  private final String apiKey;

  /**
   * Creates the bean.
   *
   * @param apiKey the key's value at startup
   */
  @Inject
  public FrozenConstructorBean(@ConfigProperty(name = "API_KEY") String apiKey) {
    this.apiKey = apiKey;
  }

  /** Creates the client proxy's instance; not used otherwise. */
  protected FrozenConstructorBean() {
    this.apiKey = null;
  }

  /**
   * Returns the value injected at startup.
   *
   * @return the API key as it was at startup
   */
  public String apiKey() {
    return apiKey;
  }
}
