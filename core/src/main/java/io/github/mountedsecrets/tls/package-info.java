/**
 * TLS certificates and private keys from the mount: {@link io.github.mountedsecrets.tls.TlsMaterial}
 * reads and checks one consistent set, {@link io.github.mountedsecrets.tls.TlsRotation} serves it
 * and switches only to material that passed the checks. JDK only.
 */
package io.github.mountedsecrets.tls;
