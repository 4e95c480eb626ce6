/**
 * Quarkus extension for mounted secrets: a config source that serves the mount's keys, the
 * core {@link io.github.mountedsecrets.MountedSecrets} as a CDI bean, each rotation as a CDI
 * {@link io.github.mountedsecrets.SecretsChangedEvent}, {@code @ConfigMapping} instances read
 * again after a rotation ({@link io.github.mountedsecrets.quarkus.MountedSecretsMappings}) and
 * the {@code mounted-secrets} datasource credentials provider. Configured under
 * {@code quarkus.mounted-secrets}; see {@link io.github.mountedsecrets.quarkus.MountedSecretsConfig}.
 */
package io.github.mountedsecrets.quarkus;
