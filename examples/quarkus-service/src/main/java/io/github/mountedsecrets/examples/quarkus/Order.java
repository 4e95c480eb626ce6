package io.github.mountedsecrets.examples.quarkus;

/**
 * One row of the {@code orders} table, as {@code GET /orders} returns it.
 *
 * @param id the order's id
 * @param item what was ordered
 * @param quantity how many
 */
public record Order(int id, String item, int quantity) {
}
