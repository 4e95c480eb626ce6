package io.github.mountedsecrets;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Database credentials taken from one snapshot, so username and password always belong to
 * the same rotation.
 *
 * <p>Built from the JSON shape of an RDS-managed (or any key/value) secret, whose fields
 * {@code username}, {@code password}, {@code host}, {@code port}, {@code dbname} and
 * {@code engine} become {@code <secret>.username} and so on, or from two separate keys
 * such as {@code DB_USER} and {@code DB_PASSWORD}.
 *
 * <p>{@link #toString()} names where the credentials came from and masks every value.
 */
public final class DatabaseCredentials {
  private final String source;
  private final String username;
  private final String password;
  private final String host;
  private final Integer port;
  private final String dbname;
  private final String engine;
  private final long revision;

  private DatabaseCredentials(String source, String username, String password, String host,
      Integer port, String dbname, String engine, long revision) {
    this.source = source;
    this.username = username;
    this.password = password;
    this.host = host;
    this.port = port;
    this.dbname = dbname;
    this.engine = engine;
    this.revision = revision;
  }

  /**
   * Reads credentials from a JSON key/value secret, such as an RDS-managed secret.
   *
   * @param snapshot the snapshot to read from
   * @param secretKey the key of the JSON secret file, e.g. {@code prod-db}; its fields are
   *     read as {@code prod-db.username}, {@code prod-db.password}, {@code prod-db.host},
   *     {@code prod-db.port}, {@code prod-db.dbname} (or {@code .database}) and
   *     {@code prod-db.engine}
   * @return the credentials
   * @throws SecretNotFoundException if the username or password field is absent
   * @throws SecretFormatException if the port is not a number
   */
  public static DatabaseCredentials fromJsonSecret(SecretsSnapshot snapshot, String secretKey) {
    Objects.requireNonNull(snapshot, "snapshot");
    Objects.requireNonNull(secretKey, "secretKey");
    String prefix = secretKey + ".";
    String user = snapshot.get(prefix + "username");
    String pass = snapshot.get(prefix + "password");
    Integer port = snapshot.find(prefix + "port")
        .map(p -> Conversions.toInt(prefix + "port", snapshot.directory(), p))
        .orElse(null);
    String dbname = snapshot.find(prefix + "dbname")
        .or(() -> snapshot.find(prefix + "database"))
        .orElse(null);
    return new DatabaseCredentials(secretKey, user, pass, snapshot.find(prefix + "host").orElse(null),
        port, dbname, snapshot.find(prefix + "engine").orElse(null), snapshot.revision());
  }

  /**
   * Reads credentials from two keys, such as the {@code DB_USER} and {@code DB_PASSWORD}
   * files that {@code jmesPath} aliases produce.
   *
   * @param snapshot the snapshot to read from
   * @param usernameKey the key holding the username
   * @param passwordKey the key holding the password
   * @return the credentials, without host, port, database or engine
   * @throws SecretNotFoundException if either key is absent
   * @throws MountedSecretsException if exactly one of the two keys holds a substituted last
   *     good value ({@link SecretsSnapshot#substitutedKeys()}): the two values may then come
   *     from different writes, and a pool handed them would fail to log in
   */
  public static DatabaseCredentials fromKeys(SecretsSnapshot snapshot, String usernameKey,
      String passwordKey) {
    Objects.requireNonNull(snapshot, "snapshot");
    String user = snapshot.get(Objects.requireNonNull(usernameKey, "usernameKey"));
    String pass = snapshot.get(Objects.requireNonNull(passwordKey, "passwordKey"));
    boolean userKept = snapshot.substitutedKeys().contains(usernameKey);
    boolean passKept = snapshot.substitutedKeys().contains(passwordKey);
    if (userKept != passKept) {
      String kept = userKept ? usernameKey : passwordKey;
      String fresh = userKept ? passwordKey : usernameKey;
      throw new MountedSecretsException("Secret '" + Names.printable(kept) + "' in "
          + snapshot.directory() + " holds its last good value (its file is empty, unreadable "
          + "or too large now), while '" + Names.printable(fresh) + "' was just written; they "
          + "may come from different writes and are not paired. The pair is served again when "
          + "the file is valid (see MountStatus.invalidFiles()).");
    }
    return new DatabaseCredentials(usernameKey + "+" + passwordKey, user, pass, null, null, null,
        null, snapshot.revision());
  }

  /**
   * Returns the database user name.
   *
   * @return the username
   */
  public String username() {
    return username;
  }

  /**
   * Returns the password.
   *
   * @return the password
   */
  public String password() {
    return password;
  }

  /**
   * Returns a new copy of the password as characters, which the caller may clear.
   *
   * @return a fresh array
   */
  public char[] passwordChars() {
    return password.toCharArray();
  }

  /**
   * Returns the database host, when the secret carries one.
   *
   * @return the host, or empty
   */
  public Optional<String> host() {
    return Optional.ofNullable(host);
  }

  /**
   * Returns the database port, when the secret carries one.
   *
   * @return the port, or empty
   */
  public OptionalInt port() {
    return port == null ? OptionalInt.empty() : OptionalInt.of(port);
  }

  /**
   * Returns the database name, when the secret carries one.
   *
   * @return the database name, or empty
   */
  public Optional<String> dbname() {
    return Optional.ofNullable(dbname);
  }

  /**
   * Returns the engine as RDS names it ({@code postgres}, {@code aurora-postgresql},
   * {@code mysql}, {@code mariadb}, {@code oracle-ee}, {@code sqlserver-ex}, ...).
   *
   * @return the engine, or empty
   */
  public Optional<String> engine() {
    return Optional.ofNullable(engine);
  }

  /**
   * Returns the revision of the snapshot these credentials were read from.
   *
   * @return the snapshot revision
   */
  public long revision() {
    return revision;
  }

  /**
   * Returns a JDBC URL built from engine, host, port and database name, when the secret
   * carries an engine this method knows and a host.
   *
   * @return the JDBC URL, or empty
   */
  public Optional<String> jdbcUrl() {
    if (engine == null || host == null) {
      return Optional.empty();
    }
    String e = engine.toLowerCase(Locale.ROOT);
    String db = dbname == null ? "" : dbname;
    if (e.contains("postgres")) {
      return Optional.of("jdbc:postgresql://" + host + ":" + (port == null ? 5432 : port) + "/" + db);
    }
    if (e.contains("mariadb")) {
      return Optional.of("jdbc:mariadb://" + host + ":" + (port == null ? 3306 : port) + "/" + db);
    }
    if (e.contains("mysql")) {
      return Optional.of("jdbc:mysql://" + host + ":" + (port == null ? 3306 : port) + "/" + db);
    }
    if (e.startsWith("oracle")) {
      return Optional.of("jdbc:oracle:thin:@//" + host + ":" + (port == null ? 1521 : port) + "/" + db);
    }
    if (e.startsWith("sqlserver")) {
      return Optional.of("jdbc:sqlserver://" + host + ":" + (port == null ? 1433 : port)
          + (db.isEmpty() ? "" : ";databaseName=" + db));
    }
    return Optional.empty();
  }

  /**
   * Returns whether both objects hold the same username and password (and connection
   * details); the revision they were read at does not count.
   */
  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof DatabaseCredentials)) {
      return false;
    }
    DatabaseCredentials other = (DatabaseCredentials) o;
    return username.equals(other.username) && password.equals(other.password)
        && Objects.equals(host, other.host) && Objects.equals(port, other.port)
        && Objects.equals(dbname, other.dbname) && Objects.equals(engine, other.engine);
  }

  @Override
  public int hashCode() {
    return Objects.hash(username, host, port, dbname);
  }

  @Override
  public String toString() {
    return "DatabaseCredentials[source=" + Names.printable(source)
        + ", username=<masked>, password=<masked>, revision=" + revision + "]";
  }
}
