package io.github.mountedsecrets.quarkus.it;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Reads the readiness endpoint the way a probe does. */
final class Health {
  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();

  private Health() {}

  static String body(URI readiness) {
    try {
      return CLIENT.send(HttpRequest.newBuilder(readiness).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Returns the data of the {@code mounted-secrets} check in a readiness response. */
  static JsonObject mountedSecrets(String body) {
    try (JsonReader reader = Json.createReader(new StringReader(body))) {
      for (JsonValue check : reader.readObject().getJsonArray("checks")) {
        JsonObject object = check.asJsonObject();
        if (object.getString("name").equals("mounted-secrets")) {
          return object;
        }
      }
    }
    throw new AssertionError("no mounted-secrets check in " + body);
  }
}
