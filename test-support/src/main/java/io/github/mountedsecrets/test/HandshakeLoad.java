package io.github.mountedsecrets.test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS clients that connect to a server in a loop (10 ms apart), each time over a fresh connection with a
 * fresh {@link SSLContext} (so no session is resumed and every connection is a full handshake
 * that shows the certificate the server serves now), and record what they saw: successful
 * handshakes, failures, and when each server certificate was first presented.
 *
 * <pre>{@code
 * try (HandshakeLoad load = HandshakeLoad.start("localhost", port, ca, 2, true)) {
 *   writer.publish(next);
 *   long written = System.nanoTime();
 *   Await.until(..., () -> load.firstSeen(next.certificate()).isPresent(), ...);
 *   long latency = load.firstSeen(next.certificate()).get() - written;
 * }
 * }</pre>
 *
 * <p>With {@code http} each connection also sends {@code GET /} and reads the status line, so
 * a connection counts only once the server answered over TLS.
 */
public final class HandshakeLoad implements AutoCloseable {
  private static final int TIMEOUT_MILLIS = 10_000;
  private static final int MAX_FAILURE_MESSAGES = 20;
  /** Pause between two connections of one client, so that clients leave the server CPU. */
  private static final long PAUSE_MILLIS = 10;

  private final String host;
  private final int port;
  private final TrustManagerFactory trust;
  private final boolean http;
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicLong successes = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final List<String> failureMessages = new ArrayList<>();
  private final Map<BigInteger, Long> firstSeen = new ConcurrentHashMap<>();
  private volatile boolean running = true;

  private HandshakeLoad(String host, int port, TrustManagerFactory trust, boolean http) {
    this.host = host;
    this.port = port;
    this.trust = trust;
    this.http = http;
  }

  /**
   * Starts client threads.
   *
   * @param host the server's host, e.g. {@code localhost}
   * @param port the server's port
   * @param trustAnchor the authority whose certificate the clients trust
   * @param threads how many clients connect in parallel
   * @param http whether each connection also sends {@code GET /} and reads the status line
   * @return the running load; close it to stop
   */
  public static HandshakeLoad start(String host, int port, CertificateAuthority trustAnchor,
      int threads, boolean http) {
    Objects.requireNonNull(trustAnchor, "trustAnchor");
    TrustManagerFactory trust;
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setCertificateEntry("anchor", trustAnchor.certificate().chain()
          .get(trustAnchor.certificate().chain().size() - 1));
      trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(store);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build the clients' trust store", e);
    }
    HandshakeLoad load = new HandshakeLoad(host, port, trust, http);
    for (int i = 0; i < threads; i++) {
      Thread thread = new Thread(load::loop, "handshake-load-" + i);
      thread.setDaemon(true);
      load.threads.add(thread);
      thread.start();
    }
    return load;
  }

  private void loop() {
    while (running) {
      try {
        X509Certificate served = connectOnce();
        long now = System.nanoTime();
        firstSeen.putIfAbsent(served.getSerialNumber(), now);
        successes.incrementAndGet();
        Thread.sleep(PAUSE_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (IOException | GeneralSecurityException | RuntimeException e) {
        if (!running) {
          return;
        }
        failures.incrementAndGet();
        synchronized (failureMessages) {
          if (failureMessages.size() < MAX_FAILURE_MESSAGES) {
            failureMessages.add(e.toString());
          }
        }
      }
    }
  }

  private X509Certificate connectOnce() throws IOException, GeneralSecurityException {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket()) {
      socket.connect(new InetSocketAddress(host, port), TIMEOUT_MILLIS);
      socket.setSoTimeout(TIMEOUT_MILLIS);
      socket.startHandshake();
      X509Certificate served = (X509Certificate) socket.getSession().getPeerCertificates()[0];
      if (http) {
        OutputStream out = socket.getOutputStream();
        out.write(("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        byte[] status = in.readNBytes(8);
        String line = new String(status, StandardCharsets.US_ASCII);
        if (!line.startsWith("HTTP/")) {
          throw new IOException("no HTTP answer over TLS: '" + line + "'");
        }
      }
      return served;
    }
  }

  /**
   * Returns when a certificate was first presented by the server, on the
   * {@link System#nanoTime()} scale.
   *
   * @param certificate the certificate
   * @return the time of the first completed connection that saw it, or empty
   */
  public Optional<Long> firstSeen(X509Certificate certificate) {
    return Optional.ofNullable(firstSeen.get(certificate.getSerialNumber()));
  }

  /**
   * Returns how many connections succeeded.
   *
   * @return the count
   */
  public long successes() {
    return successes.get();
  }

  /**
   * Returns how many connections failed (handshake or request).
   *
   * @return the count
   */
  public long failures() {
    return failures.get();
  }

  /**
   * Returns the first failures' exception texts (at most 20).
   *
   * @return a copy
   */
  public List<String> failureMessages() {
    synchronized (failureMessages) {
      return new ArrayList<>(failureMessages);
    }
  }

  /** Stops the clients and waits for them (each connection is bounded by a 10 s timeout). */
  @Override
  public void close() {
    running = false;
    for (Thread thread : threads) {
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  @Override
  public String toString() {
    return "HandshakeLoad[" + host + ":" + port + ", " + successes + " ok, " + failures
        + " failed]";
  }
}
