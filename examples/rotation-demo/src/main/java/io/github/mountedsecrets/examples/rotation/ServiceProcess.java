package io.github.mountedsecrets.examples.rotation;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One of the packaged example services, running in its own JVM ({@code java -jar}) on a free
 * port, with its mount directory passed in {@code MOUNTED_SECRETS_DIRECTORY}, the way the
 * Deployments in {@code examples/kubernetes} run it.
 *
 * <p>{@link #start} returns once the service's readiness endpoint answers 200. The process's
 * output (stdout and stderr) goes line by line to a consumer, so tests can check that no
 * secret value was ever printed. {@link #close()} asks the process to stop (SIGTERM, a
 * graceful shutdown), waits for it, and kills it if it does not stop in time; a JVM shutdown
 * hook does the same if the caller never gets to close it.
 */
public final class ServiceProcess implements AutoCloseable {
  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
  private static final int KEPT_LINES = 200;

  /** Which example service a jar holds and how it runs; decides where its readiness endpoint is. */
  public enum Kind {
    /** {@code examples/spring-boot-service}: {@code target/orders-spring.jar}. */
    SPRING("/actuator/health/readiness", null),
    /**
     * {@code examples/spring-boot-service} with its {@code https} profile (set in
     * {@code SPRING_PROFILES_ACTIVE}, as the Deployment sets it): the API over HTTPS on one port,
     * Actuator over plain HTTP on another ({@code management.server.port}).
     */
    SPRING_HTTPS("/actuator/health/readiness", "https"),
    /** {@code examples/quarkus-service}: {@code target/quarkus-app/quarkus-run.jar}. */
    QUARKUS("/q/health/ready", null);

    private final String readinessPath;
    private final String springProfile;

    Kind(String readinessPath, String springProfile) {
      this.readinessPath = readinessPath;
      this.springProfile = springProfile;
    }

    /**
     * Returns the path of the readiness endpoint.
     *
     * @return a path starting with {@code /}
     */
    public String readinessPath() {
      return readinessPath;
    }
  }

  private final Process process;
  private final URI baseUri;
  private final URI managementUri;
  private final Deque<String> lastLines = new ArrayDeque<>();
  private final Thread pump;
  private final Thread killer;

  private ServiceProcess(Process process, URI baseUri, URI managementUri, Consumer<String> output) {
    this.process = process;
    this.baseUri = baseUri;
    this.managementUri = managementUri;
    this.pump = new Thread(() -> pump(output), "service-output-" + process.pid());
    this.pump.setDaemon(true);
    this.killer = new Thread(this::kill, "service-stop-" + process.pid());
  }

  /**
   * Starts a packaged service and waits until it is ready.
   *
   * @param kind which service the jar holds
   * @param jar the runnable jar
   * @param mountDirectory the mount directory the service reads
   * @param output receives each line the service prints, on a background thread
   * @return the ready service
   * @throws IllegalStateException if the service exits or is not ready within 120 s; the
   *     message carries its last lines of output
   */
  public static ServiceProcess start(Kind kind, Path jar, Path mountDirectory, Consumer<String> output) {
    return start(kind, jar, mountDirectory, Map.of(), output);
  }

  /**
   * Starts a packaged service with extra system properties and waits until it is ready.
   *
   * @param kind which service the jar holds
   * @param jar the runnable jar
   * @param mountDirectory the mount directory the service reads
   * @param systemProperties passed as {@code -Dname=value}, after the port
   * @param output receives each line the service prints, on a background thread
   * @return the ready service
   * @throws IllegalStateException if the service exits or is not ready within 120 s; the
   *     message carries its last lines of output
   */
  public static ServiceProcess start(Kind kind, Path jar, Path mountDirectory,
      Map<String, String> systemProperties, Consumer<String> output) {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(mountDirectory, "mountDirectory");
    Objects.requireNonNull(output, "output");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalArgumentException("no packaged service at " + jar.toAbsolutePath()
          + "; build it first (mvn -B install -DskipTests -pl examples/"
          + (kind == Kind.QUARKUS ? "quarkus-service" : "spring-boot-service") + " -am)");
    }
    int port = freePort();
    int managementPort = kind.springProfile == null ? port : freePort();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Dserver.port=" + port);
    command.add("-Dquarkus.http.port=" + port);
    if (managementPort != port) {
      command.add("-Dmanagement.server.port=" + managementPort);
    }
    systemProperties.forEach((name, value) -> command.add("-D" + name + "=" + value));
    command.add("-jar");
    command.add(jar.toAbsolutePath().toString());
    ProcessBuilder builder = new ProcessBuilder(command)
        .directory(jar.toAbsolutePath().getParent().toFile())
        .redirectErrorStream(true);
    builder.environment().put("MOUNTED_SECRETS_DIRECTORY", mountDirectory.toAbsolutePath().toString());
    if (kind.springProfile != null) {
      builder.environment().put("SPRING_PROFILES_ACTIVE", kind.springProfile);
    }
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start " + command, e);
    }
    URI baseUri = URI.create((kind.springProfile == null ? "http" : "https") + "://localhost:" + port);
    URI managementUri = managementPort == port ? baseUri : URI.create("http://localhost:" + managementPort);
    ServiceProcess service = new ServiceProcess(process, baseUri, managementUri, output);
    service.pump.start();
    Runtime.getRuntime().addShutdownHook(service.killer);
    try {
      service.awaitReady(kind.readinessPath());
    } catch (RuntimeException e) {
      service.close();
      throw e;
    }
    return service;
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port", e);
    }
  }

  private void awaitReady(String readinessPath) {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest request = HttpRequest.newBuilder(managementUri.resolve(readinessPath))
        .timeout(Duration.ofSeconds(5)).GET().build();
    long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the service exited with code " + process.exitValue()
            + " before it was ready; its last output:\n" + lastOutput());
      }
      try {
        HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() == 200) {
          return;
        }
        last = "HTTP " + response.statusCode();
      } catch (IOException e) {
        last = e.getClass().getSimpleName();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the service", e);
      }
      sleep(200);
    }
    throw new IllegalStateException("the service was not ready within " + STARTUP_TIMEOUT.toSeconds()
        + " s (" + readinessPath + ": " + last + "); its last output:\n" + lastOutput());
  }

  private void pump(Consumer<String> output) {
    try (BufferedReader reader = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        synchronized (lastLines) {
          if (lastLines.size() == KEPT_LINES) {
            lastLines.removeFirst();
          }
          lastLines.addLast(line);
        }
        output.accept(line);
      }
    } catch (IOException e) {
      // The process ended and closed its output.
    }
  }

  /**
   * Returns the last lines the service printed (at most 200).
   *
   * @return the lines, joined by newlines
   */
  public String lastOutput() {
    synchronized (lastLines) {
      return String.join("\n", lastLines);
    }
  }

  /**
   * Returns the service's address.
   *
   * @return {@code http://localhost:<port>}, or {@code https://localhost:<port>} for
   *     {@link Kind#SPRING_HTTPS}
   */
  public URI baseUri() {
    return baseUri;
  }

  /**
   * Returns the address of the service's health endpoints (Actuator, or Quarkus's {@code /q}).
   *
   * @return {@link #baseUri()}, or {@code http://localhost:<management port>} for
   *     {@link Kind#SPRING_HTTPS}
   */
  public URI managementUri() {
    return managementUri;
  }

  /**
   * Returns the operating-system process id.
   *
   * @return the pid
   */
  public long pid() {
    return process.pid();
  }

  /**
   * Returns whether the process is still running.
   *
   * @return true while it runs
   */
  public boolean isAlive() {
    return process.isAlive();
  }

  /** Stops the service gracefully, or forcibly after 20 s, and waits until it is gone. */
  @Override
  public void close() {
    kill();
    try {
      Runtime.getRuntime().removeShutdownHook(killer);
    } catch (IllegalStateException e) {
      // The JVM is shutting down; the hook runs kill() too.
    }
    try {
      pump.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void kill() {
    if (!process.isAlive()) {
      return;
    }
    List<ProcessHandle> children = process.descendants().toList();
    // Through the handle, not Process.destroy(), which also closes our end of the output
    // pipe: what the service prints while it shuts down still reaches the consumer.
    process.toHandle().destroy();
    try {
      if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.toHandle().destroyForcibly();
        process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      // Interrupted while waiting: kill it, and still wait (briefly) until it is gone, so that
      // the caller does not remove the mount or the database under a live process.
      process.toHandle().destroyForcibly();
      awaitExitUninterruptibly(Duration.ofSeconds(10));
      Thread.currentThread().interrupt();
    }
    children.forEach(ProcessHandle::destroyForcibly);
  }

  private void awaitExitUninterruptibly(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (process.isAlive() && System.nanoTime() < deadline) {
      try {
        process.waitFor(Math.max(1, (deadline - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
      } catch (InterruptedException ignored) {
        // Keep waiting; the caller restores the interrupt.
      }
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
