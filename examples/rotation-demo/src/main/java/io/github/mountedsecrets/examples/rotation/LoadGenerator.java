package io.github.mountedsecrets.examples.rotation;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Clients of an example service: threads that call {@code GET /orders} with the API key in a
 * loop and count answers.
 *
 * <p>A request counts as ok when the service answers 200 with a JSON array; anything else (an
 * error status, a timeout, a refused connection) counts as failed, and the first 20 failures are
 * kept with a short description (status code or exception type, never a body that might hold a
 * value). Each thread pauses 1 ms between requests so that a 2-core machine keeps time for the
 * service's own work.
 */
public final class LoadGenerator implements AutoCloseable {
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
  private static final int KEPT_FAILURES = 20;
  private static final Pattern USER = Pattern.compile("\"user\"\\s*:\\s*\"([^\"]*)\"");

  private final URI base;
  private final String apiKey;
  private final HttpClient client;
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicLong ok = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final List<String> failures = new ArrayList<>();
  private volatile boolean running = true;

  private LoadGenerator(URI base, String apiKey) {
    this.base = base;
    this.apiKey = apiKey;
    this.client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  /**
   * Starts the client threads.
   *
   * @param base the service's address, such as {@code http://localhost:8080}
   * @param apiKey the value to send in {@code X-Api-Key}
   * @param threads how many threads call the service at once, at least 1
   * @return the running generator; close it to stop
   */
  public static LoadGenerator start(URI base, String apiKey, int threads) {
    Objects.requireNonNull(base, "base");
    Objects.requireNonNull(apiKey, "apiKey");
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, but was " + threads);
    }
    LoadGenerator generator = new LoadGenerator(base, apiKey);
    for (int i = 0; i < threads; i++) {
      Thread thread = new Thread(generator::run, "load-" + i);
      thread.setDaemon(true);
      generator.threads.add(thread);
      thread.start();
    }
    return generator;
  }

  private void run() {
    HttpRequest request = HttpRequest.newBuilder(base.resolve("/orders"))
        .header("X-Api-Key", apiKey)
        .timeout(REQUEST_TIMEOUT)
        .GET()
        .build();
    while (running) {
      try {
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200 && response.body().startsWith("[")) {
          ok.incrementAndGet();
        } else {
          fail("HTTP " + response.statusCode());
        }
      } catch (IOException e) {
        fail(e.getClass().getSimpleName());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void fail(String description) {
    long n = failed.incrementAndGet();
    synchronized (failures) {
      if (failures.size() < KEPT_FAILURES) {
        failures.add("request " + (ok.get() + n) + ": " + description);
      }
    }
  }

  /**
   * Asks the service which database user its pool is connected as ({@code GET /whoami}).
   *
   * @return the user
   * @throws IllegalStateException if the service does not answer 200 with a user
   */
  public String whoami() {
    HttpRequest request = HttpRequest.newBuilder(base.resolve("/whoami"))
        .header("X-Api-Key", apiKey)
        .timeout(REQUEST_TIMEOUT)
        .GET()
        .build();
    try {
      HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
      Matcher matcher = USER.matcher(response.body());
      if (response.statusCode() != 200 || !matcher.find()) {
        throw new IllegalStateException("GET /whoami answered HTTP " + response.statusCode());
      }
      return matcher.group(1);
    } catch (IOException e) {
      throw new IllegalStateException("GET /whoami failed: " + e.getClass().getSimpleName(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /**
   * Returns how many requests succeeded so far.
   *
   * @return the count
   */
  public long ok() {
    return ok.get();
  }

  /**
   * Returns how many requests failed so far.
   *
   * @return the count
   */
  public long failed() {
    return failed.get();
  }

  /**
   * Returns the first 20 failures, each with its status code or exception type.
   *
   * @return a copy
   */
  public List<String> failures() {
    synchronized (failures) {
      return List.copyOf(failures);
    }
  }

  /** Stops the threads, as {@link #stop()} does. */
  @Override
  public void close() {
    stop();
  }

  /**
   * Stops the threads and waits for their requests in flight to end, so that the counts are
   * final; calling it again does nothing.
   */
  public void stop() {
    if (!running) {
      return;
    }
    running = false;
    // Requests in flight still count; their answers arrive before the threads end.
    for (Thread thread : threads) {
      try {
        thread.join(REQUEST_TIMEOUT.toMillis() + 1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
