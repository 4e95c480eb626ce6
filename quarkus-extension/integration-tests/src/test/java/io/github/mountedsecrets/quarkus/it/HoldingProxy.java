package io.github.mountedsecrets.quarkus.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A TCP proxy on localhost in front of the database that can hold one new connection before
 * it reaches the server: the client's driver then waits inside its connection opening, after
 * the pool asked for credentials and before it adds the connection.
 */
final class HoldingProxy implements AutoCloseable {
  private final ServerSocket server;
  private final int targetPort;
  private final AtomicReference<Hold> next = new AtomicReference<>();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();

  HoldingProxy(int targetPort) {
    this.targetPort = targetPort;
    try {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    daemon("holding-proxy-accept", this::accept).start();
  }

  int port() {
    return server.getLocalPort();
  }

  /** Holds the next connection the proxy accepts until {@link Hold#release()}. */
  Hold holdNextConnection() {
    Hold hold = new Hold();
    if (!next.compareAndSet(null, hold)) {
      throw new IllegalStateException("a hold is already armed");
    }
    return hold;
  }

  private void accept() {
    while (!server.isClosed()) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      sockets.add(client);
      Hold hold = next.getAndSet(null);
      daemon("holding-proxy-connect", () -> connect(client, hold)).start();
    }
  }

  private void connect(Socket client, Hold hold) {
    try {
      if (hold != null) {
        hold.reached.countDown();
        hold.released.await();
      }
      Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
      sockets.add(upstream);
      daemon("holding-proxy-up", () -> pipe(client, upstream)).start();
      pipe(upstream, client);
    } catch (IOException e) {
      closeQuietly(client);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closeQuietly(client);
    }
  }

  private static void pipe(Socket from, Socket to) {
    byte[] buffer = new byte[8192];
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // one side closed
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private static Thread daemon(String name, Runnable task) {
    Thread thread = new Thread(task, name);
    thread.setDaemon(true);
    return thread;
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      // already closed
    }
    Hold hold = next.getAndSet(null);
    if (hold != null) {
      hold.release();
    }
    sockets.forEach(HoldingProxy::closeQuietly);
  }

  /** One held connection. */
  static final class Hold {
    private final CountDownLatch reached = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);

    /** Waits until a client has connected and is being held. */
    boolean awaitReached(Duration timeout) throws InterruptedException {
      return reached.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Lets the held connection through to the database. */
    void release() {
      released.countDown();
    }
  }
}
