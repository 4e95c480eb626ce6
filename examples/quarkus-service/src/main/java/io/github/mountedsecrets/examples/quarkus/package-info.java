/**
 * The orders service on Quarkus: a small REST service whose database credentials and API key
 * come from the Secrets Store CSI Driver's mount and follow its rotations.
 *
 * <p>The datasource URL is built from the RDS-style JSON secret {@code prod-db}, the pool's
 * username and password come from the {@code mounted-secrets} credentials provider
 * ({@code DB_USER} and {@code DB_PASSWORD}), and the API key ({@code API_KEY}) is read from
 * {@link io.github.mountedsecrets.MountedSecrets} at each request. See
 * {@code src/main/resources/application.properties}.
 */
package io.github.mountedsecrets.examples.quarkus;
