package io.github.mountedsecrets.examples.rotation;

import io.github.mountedsecrets.test.SecretsMount;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A local stand-in for the volume that the Secrets Store CSI Driver and the AWS provider mount
 * at {@code /mnt/secrets-store} for the {@code orders-secrets} SecretProviderClass, written
 * exactly the way they write it.
 *
 * <p>The mount holds four files, as the SecretProviderClass in {@code examples/kubernetes}
 * produces them: {@code prod-db}, the RDS-style JSON secret ({@code engine}, {@code host},
 * {@code port}, {@code dbname}, {@code username}, {@code password}); {@code DB_USER} and
 * {@code DB_PASSWORD}, its two fields extracted by {@code jmesPath}; and {@code API_KEY}.
 *
 * <p>{@link #rotate()} follows the alternating-users strategy of Secrets Manager's rotation
 * functions: it gives the role that is not in use a fresh password in the database first,
 * then publishes that role's credentials, user and password in one write of the driver.
 * The role that was in use keeps working until the following rotation gives it a new password.
 */
public final class OrdersMount {
  /** The file with the RDS-style JSON secret. */
  public static final String JSON_SECRET = "prod-db";
  /** The file with the username. */
  public static final String USER_FILE = "DB_USER";
  /** The file with the password. */
  public static final String PASSWORD_FILE = "DB_PASSWORD";
  /** The file with the API key. */
  public static final String API_KEY_FILE = "API_KEY";

  private final SecretsMount mount;
  private final OrdersDatabase database;
  private final String apiKey;
  private String currentUser;
  private String previousUser;
  private int generations;

  private OrdersMount(SecretsMount mount, OrdersDatabase database, String apiKey) {
    this.mount = mount;
    this.database = database;
    this.apiKey = apiKey;
  }

  /**
   * Creates the mount and writes its first generation, with role {@code orders_app} and a new
   * password that the database accepts.
   *
   * @param layout how the driver writes: {@link SecretsMount.Layout#ATOMIC_WRITER} (the
   *     driver's own writer) or {@link SecretsMount.Layout#FILE_BY_FILE} (the AWS provider's)
   * @param directory the mount directory; created if missing
   * @param database the database whose roles the credentials belong to
   * @return the mount
   */
  public static OrdersMount create(SecretsMount.Layout layout, Path directory, OrdersDatabase database) {
    Objects.requireNonNull(layout, "layout");
    Objects.requireNonNull(directory, "directory");
    Objects.requireNonNull(database, "database");
    OrdersMount mount = new OrdersMount(SecretsMount.create(layout, directory), database,
        "key-" + OrdersDatabase.newPassword());
    mount.publish(OrdersDatabase.USER);
    return mount;
  }

  /**
   * Rotates the credentials with the alternating-users strategy: a fresh password for the
   * role not in use, set in the database, then written to the mount.
   *
   * @return what was written
   */
  public synchronized Rotation rotate() {
    return publish(nextUser());
  }

  /**
   * Returns the role the next {@link #rotate()} switches to.
   *
   * @return {@code orders_app} or {@code orders_app_clone}
   */
  public synchronized String nextUser() {
    return OrdersDatabase.USER.equals(currentUser) ? OrdersDatabase.CLONE : OrdersDatabase.USER;
  }

  private synchronized Rotation publish(String user) {
    String password = OrdersDatabase.newPassword();
    database.setPassword(user, password);
    Map<String, Object> files = new LinkedHashMap<>();
    // The AWS provider writes the objects in the order of the SecretProviderClass: the JSON
    // secret first, then its jmesPath aliases, then the API key.
    files.put(JSON_SECRET, "{\"engine\":\"postgres\",\"host\":\"" + database.host() + "\","
        + "\"port\":" + database.port() + ",\"dbname\":\"" + database.dbname() + "\","
        + "\"username\":\"" + user + "\",\"password\":\"" + password + "\"}");
    files.put(USER_FILE, user);
    files.put(PASSWORD_FILE, password);
    files.put(API_KEY_FILE, apiKey);
    mount.publish(files);
    Instant writtenAt = Instant.now();
    previousUser = currentUser;
    currentUser = user;
    Rotation rotation = new Rotation(generations, user, writtenAt, password);
    generations++;
    return rotation;
  }

  /**
   * Returns the mount directory, the one to configure as the services' mount.
   *
   * @return the directory
   */
  public Path directory() {
    return mount.directory();
  }

  /**
   * Returns how the mount is written.
   *
   * @return the layout
   */
  public SecretsMount.Layout layout() {
    return mount.layout();
  }

  /**
   * Returns the API key in the mount; it does not change with rotations.
   *
   * @return the key
   */
  public String apiKey() {
    return apiKey;
  }

  /**
   * Returns the role whose credentials the mount holds now.
   *
   * @return {@code orders_app} or {@code orders_app_clone}
   */
  public synchronized String currentUser() {
    return currentUser;
  }

  /**
   * Returns the role the mount held before the last rotation.
   *
   * @return the role, or null before the first rotation
   */
  public synchronized String previousUser() {
    return previousUser;
  }

  /**
   * Returns how many rotations were written after the first generation.
   *
   * @return the count
   */
  public synchronized int rotations() {
    return generations - 1;
  }

  /**
   * One write of new credentials.
   *
   * @param number 0 for the first generation, then 1, 2, ...
   * @param user the role now in the mount
   * @param writtenAt when the write finished
   * @param password the password written, for canary checks; never print it
   */
  public record Rotation(int number, String user, Instant writtenAt, String password) {
    /**
     * Names the rotation without its password.
     *
     * @return a description
     */
    @Override
    public String toString() {
      return "Rotation[number=" + number + ", user=" + user + ", writtenAt=" + writtenAt + "]";
    }
  }
}
