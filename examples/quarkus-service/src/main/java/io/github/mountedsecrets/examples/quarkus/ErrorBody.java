package io.github.mountedsecrets.examples.quarkus;

/**
 * The JSON body of an error answer. It never holds a secret value or anything the client sent.
 *
 * @param error what went wrong
 */
public record ErrorBody(String error) {
  /** The body of a 401 answer for a missing or wrong {@code X-Api-Key}. */
  public static final ErrorBody WRONG_API_KEY = new ErrorBody("missing or wrong X-Api-Key");
  /** The body of a 503 answer when the database query failed. */
  public static final ErrorBody DATABASE_UNAVAILABLE = new ErrorBody("database unavailable");
}
