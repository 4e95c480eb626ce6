package io.github.mountedsecrets.quarkus;

import io.github.mountedsecrets.tls.TlsMaterial;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A key manager that serves the material in service at each handshake, so that a TLS context
 * built once (the HTTP server's) presents every verified rotation without being rebuilt.
 *
 * <p>A handshake asks for an alias first and for the chain and the key of that alias later;
 * a rotation may happen in between. Each generation's aliases therefore carry the generation
 * ({@code g3/tls}), and the chain and key are looked up in the generation that named the
 * alias, the current or the one before, so a handshake never mixes the certificate of one
 * generation with the key of another.
 */
final class FollowingKeyManager extends X509ExtendedKeyManager {
  private Generation current;
  private Generation previous;
  private long generations;

  FollowingKeyManager(TlsMaterial material) {
    current = new Generation(0, material);
  }

  /** Serves {@code material} from the next handshake on. */
  synchronized void serve(TlsMaterial material) {
    previous = current;
    current = new Generation(++generations, material);
  }

  private synchronized Generation current() {
    return current;
  }

  /** Returns the generation that named {@code alias}, or null if it is gone or unknown. */
  private synchronized Generation of(String alias) {
    if (alias == null) {
      return null;
    }
    if (alias.startsWith(current.prefix)) {
      return current;
    }
    return previous != null && alias.startsWith(previous.prefix) ? previous : null;
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    Generation generation = current();
    return generation.alias(generation.keys.chooseServerAlias(keyType, issuers, socket));
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    Generation generation = current();
    return generation.alias(generation.keys.chooseEngineServerAlias(keyType, issuers, engine));
  }

  @Override
  public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
    Generation generation = current();
    return generation.alias(generation.keys.chooseClientAlias(keyTypes, issuers, socket));
  }

  @Override
  public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
    Generation generation = current();
    return generation.alias(generation.keys.chooseEngineClientAlias(keyTypes, issuers, engine));
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    Generation generation = current();
    return generation.aliases(generation.keys.getServerAliases(keyType, issuers));
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    Generation generation = current();
    return generation.aliases(generation.keys.getClientAliases(keyType, issuers));
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    Generation generation = of(alias);
    return generation == null ? null : generation.keys.getCertificateChain(generation.inner(alias));
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    Generation generation = of(alias);
    return generation == null ? null : generation.keys.getPrivateKey(generation.inner(alias));
  }

  @Override
  public synchronized String toString() {
    return "FollowingKeyManager[" + current.prefix + current.subject + "]";
  }

  /** One generation's key manager and the prefix of its aliases. */
  private static final class Generation {
    final String prefix;
    final String subject;
    final X509ExtendedKeyManager keys;

    Generation(long number, TlsMaterial material) {
      this.prefix = "g" + number + "/";
      this.subject = material.subject();
      this.keys = Arrays.stream(material.keyManagerFactory().getKeyManagers())
          .filter(X509ExtendedKeyManager.class::isInstance)
          .map(X509ExtendedKeyManager.class::cast)
          .findFirst()
          .orElseThrow(() -> new IllegalStateException("the JDK's default key manager factory "
              + "made no X509ExtendedKeyManager"));
    }

    String alias(String inner) {
      return inner == null ? null : prefix + inner;
    }

    String[] aliases(String[] inner) {
      return inner == null ? null : Arrays.stream(inner).map(this::alias).toArray(String[]::new);
    }

    String inner(String alias) {
      return alias.substring(prefix.length());
    }
  }
}
