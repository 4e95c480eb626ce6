/**
 * Optional Micrometer meters for a {@link io.github.mountedsecrets.MountedSecrets} instance.
 * Only loaded when Micrometer is on the class path.
 */
package io.github.mountedsecrets.micrometer;
