package io.github.mountedsecrets.examples.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The schemas the manifests are checked against, vendored under {@code src/test/resources/schemas/}
 * (see the README there for their upstream sources and versions): the Kubernetes OpenAPI v3
 * schemas of the built-in kinds and the Secrets Store CSI Driver's SecretProviderClass CRD.
 *
 * <p>Both are made strict the way {@code kubectl apply} (field validation {@code Strict},
 * kubectl's default) treats an object: a field the schema does not define is an error. The
 * OpenAPI documents do not say so themselves ({@code additionalProperties} is absent), so
 * every object schema that lists {@code properties}, has no {@code additionalProperties} and
 * is not marked {@code x-kubernetes-preserve-unknown-fields} gets {@code additionalProperties:
 * false}. The {@code x-kubernetes-*} extensions, which a JSON-schema validator does not know,
 * are dropped.
 */
final class Schemas {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String COMPONENTS_REF = "#/components/schemas/";
  private static final String DEFINITIONS_REF = "#/definitions/";
  private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4);

  /** The Kubernetes release whose OpenAPI schemas are vendored. */
  static final String KUBERNETES = "kubernetes-1.35";
  /** The driver release whose CRD and chart defaults are vendored. */
  static final String DRIVER = "secrets-store-csi-driver-1.6.0";
  /** The provider chart release whose defaults are vendored. */
  static final String PROVIDER = "secrets-store-csi-driver-provider-aws-3.1.1";

  private Schemas() {
  }

  /**
   * Returns the schema of a kind, chosen by the manifest's apiVersion and kind, or null when
   * none is vendored.
   */
  static JsonSchema of(String apiVersion, String kind) {
    String key = apiVersion + " " + kind;
    return switch (key) {
      case "v1 Namespace" -> kubernetes("core-v1.json", "io.k8s.api.core.v1.Namespace");
      case "v1 ServiceAccount" -> kubernetes("core-v1.json", "io.k8s.api.core.v1.ServiceAccount");
      case "v1 Service" -> kubernetes("core-v1.json", "io.k8s.api.core.v1.Service");
      case "v1 ConfigMap" -> kubernetes("core-v1.json", "io.k8s.api.core.v1.ConfigMap");
      case "apps/v1 Deployment" -> kubernetes("apps-v1.json", "io.k8s.api.apps.v1.Deployment");
      case "storage.k8s.io/v1 CSIDriver" -> kubernetes("storage.k8s.io-v1.json", "io.k8s.api.storage.v1.CSIDriver");
      case "secrets-store.csi.x-k8s.io/v1 SecretProviderClass" -> secretProviderClass();
      default -> null;
    };
  }

  /**
   * Validates a parsed manifest (or any YAML tree) against a schema.
   *
   * @return the violations, each prefixed with the label, empty when it conforms
   */
  static List<String> validate(JsonSchema schema, Object tree, String label) {
    JsonNode node = JSON.valueToTree(tree);
    Set<ValidationMessage> messages = schema.validate(node);
    List<String> violations = new ArrayList<>();
    for (ValidationMessage message : messages) {
      violations.add(label + ": " + message.getMessage());
    }
    return violations;
  }

  /** Validates a manifest against the schema of its kind; a kind without a schema is a violation. */
  static List<String> validate(Manifest manifest) {
    JsonSchema schema = of(manifest.apiVersion(), manifest.kind());
    if (schema == null) {
      return List.of(manifest.label() + ": no schema vendored for " + manifest.apiVersion() + " "
          + manifest.kind());
    }
    return validate(schema, manifest.document(), manifest.label());
  }

  /** Returns a Kubernetes OpenAPI component as a strict draft-4 schema with its definitions. */
  static JsonSchema kubernetes(String file, String component) {
    JsonNode document = read(KUBERNETES + "/" + file);
    ObjectNode definitions = JsonNodeFactory.instance.objectNode();
    for (Map.Entry<String, JsonNode> schema : document.path("components").path("schemas").properties()) {
      definitions.set(schema.getKey(), strict(schema.getValue()));
    }
    if (!definitions.has(component)) {
      throw new IllegalArgumentException(file + " has no schema " + component);
    }
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.set("definitions", definitions);
    root.putArray("allOf").addObject().put("$ref", DEFINITIONS_REF + component);
    return FACTORY.getSchema(root);
  }

  /** Returns the v1 schema of the driver's SecretProviderClass CRD, strict. */
  static JsonSchema secretProviderClass() {
    Object crd = Manifest.parseValue("CRD", text(DRIVER + "/secrets-store.csi.x-k8s.io_secretproviderclasses.yaml"));
    for (Map<?, ?> version : Tree.maps(crd, "spec", "versions")) {
      if ("v1".equals(Tree.text(version, "name"))) {
        JsonNode schema = JSON.valueToTree(Tree.map(version, "schema", "openAPIV3Schema"));
        return FACTORY.getSchema(strict(schema));
      }
    }
    throw new IllegalStateException("the SecretProviderClass CRD has no version v1");
  }

  /** Returns the text of a vendored file. */
  static String text(String relative) {
    try (InputStream in = Schemas.class.getResourceAsStream("/schemas/" + relative)) {
      if (in == null) {
        throw new IllegalArgumentException("no vendored file schemas/" + relative);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonNode read(String relative) {
    try {
      return JSON.readTree(text(relative));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Returns a copy with additionalProperties false where unknown fields would be refused. */
  static JsonNode strict(JsonNode node) {
    if (node.isArray()) {
      ArrayNode copy = JsonNodeFactory.instance.arrayNode();
      node.forEach(element -> copy.add(strict(element)));
      return copy;
    }
    if (!node.isObject()) {
      return node;
    }
    ObjectNode copy = JsonNodeFactory.instance.objectNode();
    for (Map.Entry<String, JsonNode> field : node.properties()) {
      String name = field.getKey();
      if (name.startsWith("x-kubernetes-")) {
        continue;
      }
      if (name.equals("$ref") && field.getValue().isTextual()
          && field.getValue().asText().startsWith(COMPONENTS_REF)) {
        copy.set(name, TextNode.valueOf(DEFINITIONS_REF + field.getValue().asText().substring(COMPONENTS_REF.length())));
      } else if (name.equals("properties") && field.getValue().isObject()) {
        // A map from field names to schemas: its keys are names, not keywords.
        ObjectNode properties = copy.putObject("properties");
        field.getValue().properties().forEach(p -> properties.set(p.getKey(), strict(p.getValue())));
      } else {
        copy.set(name, strict(field.getValue()));
      }
    }
    boolean preserves = node.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
    if (node.has("properties") && !node.has("additionalProperties") && !preserves) {
      copy.put("additionalProperties", false);
    }
    return copy;
  }
}
