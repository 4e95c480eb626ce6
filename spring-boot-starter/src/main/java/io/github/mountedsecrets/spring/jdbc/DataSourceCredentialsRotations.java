package io.github.mountedsecrets.spring.jdbc;

import io.github.mountedsecrets.rotation.RotationStatus;
import io.github.mountedsecrets.rotation.CredentialsRotation;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.beans.factory.DisposableBean;

/**
 * The credential rotations the starter runs, one for each HikariCP data source whose
 * credentials come from the mount, by bean name. Health reports their states from here.
 */
public final class DataSourceCredentialsRotations implements DisposableBean {
  private final Map<String, CredentialsRotation> rotations = new TreeMap<>();

  DataSourceCredentialsRotations() {}

  /**
   * Returns the state of each rotation (never a credential), by data source bean name.
   *
   * @return an unmodifiable map sorted by name
   */
  public synchronized Map<String, RotationStatus> statuses() {
    Map<String, RotationStatus> statuses = new TreeMap<>();
    rotations.forEach((name, rotation) -> statuses.put(name, rotation.status()));
    return Collections.unmodifiableMap(statuses);
  }

  synchronized void add(String name, CredentialsRotation rotation) {
    CredentialsRotation previous = rotations.put(name, rotation);
    if (previous != null) {
      previous.close();
    }
  }

  synchronized void remove(String name) {
    CredentialsRotation rotation = rotations.remove(name);
    if (rotation != null) {
      rotation.close();
    }
  }

  /** Stops every rotation; the pools keep the credentials they have. */
  @Override
  public synchronized void destroy() {
    rotations.values().forEach(CredentialsRotation::close);
    rotations.clear();
  }

  @Override
  public synchronized String toString() {
    return "DataSourceCredentialsRotations" + rotations.keySet();
  }
}
