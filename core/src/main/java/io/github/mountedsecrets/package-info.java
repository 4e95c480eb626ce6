/**
 * Secrets delivered as files, read into consistent snapshots and kept current on rotation.
 *
 * <p>Start with {@link io.github.mountedsecrets.MountedSecrets#builder()}.
 */
package io.github.mountedsecrets;
