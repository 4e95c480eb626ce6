package io.github.mountedsecrets.quarkus;

import io.github.mountedsecrets.tls.TlsMaterial;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A trust manager that checks peers against the trusted certificates in service at each
 * handshake, so that a TLS context built once follows rotations of the trusted certificates.
 */
final class FollowingTrustManager extends X509ExtendedTrustManager {
  private volatile X509ExtendedTrustManager current;

  FollowingTrustManager(TlsMaterial material) {
    current = of(material);
  }

  /** Trusts {@code material}'s certificates from the next handshake on. */
  void serve(TlsMaterial material) {
    current = of(material);
  }

  private static X509ExtendedTrustManager of(TlsMaterial material) {
    return Arrays.stream(material.trustManagerFactory().getTrustManagers())
        .filter(X509ExtendedTrustManager.class::isInstance)
        .map(X509ExtendedTrustManager.class::cast)
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("the JDK's default trust manager factory "
            + "made no X509ExtendedTrustManager"));
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    current.checkClientTrusted(chain, authType, socket);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    current.checkServerTrusted(chain, authType, socket);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    current.checkClientTrusted(chain, authType, engine);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    current.checkServerTrusted(chain, authType, engine);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    current.checkClientTrusted(chain, authType);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    current.checkServerTrusted(chain, authType);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return current.getAcceptedIssuers();
  }
}
