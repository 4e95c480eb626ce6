package io.github.mountedsecrets.examples.quarkus;

/**
 * The answer of {@code GET /whoami}: the database user the pool's connection is logged in as.
 *
 * @param user the result of {@code select current_user}
 */
public record WhoAmI(String user) {
}
