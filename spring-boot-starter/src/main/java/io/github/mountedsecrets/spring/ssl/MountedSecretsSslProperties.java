package io.github.mountedsecrets.spring.ssl;

import io.github.mountedsecrets.tls.TlsRotation;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * SSL bundles whose certificate and key come from the mount
 * ({@code mounted-secrets.ssl.bundle.<name>.*}). Each names keys of the mount, never values.
 */
@ConfigurationProperties("mounted-secrets.ssl")
public class MountedSecretsSslProperties {
  /**
   * SSL bundles to register in Spring Boot's SslBundleRegistry, by bundle name (use it as
   * server.ssl.bundle). Each sets certificate, private-key, and optionally
   * private-key-password, trust and expiry-warning.
   */
  private Map<String, Bundle> bundle = new LinkedHashMap<>();

  /** Creates the properties; Spring does this. */
  public MountedSecretsSslProperties() {}

  /**
   * Returns the bundles by name.
   *
   * @return the bundles
   */
  public Map<String, Bundle> getBundle() {
    return bundle;
  }

  /**
   * Sets the bundles by name.
   *
   * @param bundle the bundles
   */
  public void setBundle(Map<String, Bundle> bundle) {
    this.bundle = bundle;
  }

  /** One SSL bundle: the keys of the mount that hold its material. */
  public static class Bundle {
    /** Key of the mount holding the PEM certificate chain, leaf first. */
    private String certificate;
    /**
     * Key of the mount holding the PEM private key (PKCS#8, encrypted PKCS#8, PKCS#1 or
     * SEC1); the certificate key when not set (a combined file).
     */
    private String privateKey;
    /** Key of the mount holding the password of an encrypted PKCS#8 private key. */
    private String privateKeyPassword;
    /** Key of the mount holding PEM certificates to trust (for client certificates or clients). */
    private String trust;
    /** Time before the certificate's end of validity from which health and logs warn. */
    private Duration expiryWarning = TlsRotation.DEFAULT_EXPIRY_WARNING;

    /** Creates a bundle's properties; Spring does this. */
    public Bundle() {}

    /**
     * Returns the certificate key.
     *
     * @return the key
     */
    public String getCertificate() {
      return certificate;
    }

    /**
     * Sets the certificate key.
     *
     * @param certificate the key
     */
    public void setCertificate(String certificate) {
      this.certificate = certificate;
    }

    /**
     * Returns the private key's key.
     *
     * @return the key
     */
    public String getPrivateKey() {
      return privateKey;
    }

    /**
     * Sets the private key's key.
     *
     * @param privateKey the key
     */
    public void setPrivateKey(String privateKey) {
      this.privateKey = privateKey;
    }

    /**
     * Returns the password's key.
     *
     * @return the key
     */
    public String getPrivateKeyPassword() {
      return privateKeyPassword;
    }

    /**
     * Sets the password's key.
     *
     * @param privateKeyPassword the key
     */
    public void setPrivateKeyPassword(String privateKeyPassword) {
      this.privateKeyPassword = privateKeyPassword;
    }

    /**
     * Returns the trust key.
     *
     * @return the key
     */
    public String getTrust() {
      return trust;
    }

    /**
     * Sets the trust key.
     *
     * @param trust the key
     */
    public void setTrust(String trust) {
      this.trust = trust;
    }

    /**
     * Returns the expiry warning threshold.
     *
     * @return the threshold
     */
    public Duration getExpiryWarning() {
      return expiryWarning;
    }

    /**
     * Sets the expiry warning threshold.
     *
     * @param expiryWarning the threshold
     */
    public void setExpiryWarning(Duration expiryWarning) {
      this.expiryWarning = expiryWarning;
    }
  }
}
