package io.github.mountedsecrets.spring;

import io.github.mountedsecrets.MountNotFoundException;
import io.github.mountedsecrets.MountedSecretsException;
import io.github.mountedsecrets.SecretFormatException;
import io.github.mountedsecrets.SecretNotFoundException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a startup that failed because of the secrets mount: missing (what was expected
 * where, the likely causes, the properties that fix it), unreadable, or a key that is not
 * there. Core's messages never contain a secret value, so they are quoted as they are.
 */
final class MountedSecretsFailureAnalyzer extends AbstractFailureAnalyzer<MountedSecretsException> {
  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, MountedSecretsException cause) {
    if (cause instanceof MountNotFoundException) {
      String directory = String.valueOf(((MountNotFoundException) cause).directory());
      return new FailureAnalysis(
          "The application expected the secrets volume to be mounted at " + directory
              + ", but it is not there.\n\n" + cause.getMessage(),
          "Mount the volume (for example the Secrets Store CSI Driver volume) at " + directory
              + ", or point the application at the volume's mountPath: set "
              + "spring.config.import=mounted-secrets:<mountPath>, or mounted-secrets.directory="
              + "<mountPath> when the mount is not imported as configuration.\n"
              + "To start without the mount and pick it up when it appears, import it as "
              + "spring.config.import=optional:mounted-secrets:" + directory
              + " or set mounted-secrets.require-mount=false.",
          cause);
    }
    if (cause instanceof SecretNotFoundException) {
      return new FailureAnalysis(cause.getMessage(),
          "Use the key as the mount names it: a file's path relative to the mount "
              + "(DB_PASSWORD, nested/file) or a field of a JSON secret file (prod-db.username). "
              + "Check the SecretProviderClass objects (objectName, objectAlias) that write the "
              + "mount.",
          cause);
    }
    if (cause instanceof SecretFormatException) {
      return new FailureAnalysis(cause.getMessage(),
          "Read binary secrets with MountedSecrets.getBytes(key), or fix the content's format.",
          cause);
    }
    return new FailureAnalysis(cause.getMessage(),
        "Make sure the application can read the secrets mount (file permissions, the pod's "
            + "fsGroup and runAsUser, the volume's filePermission). To start anyway and keep "
            + "trying, set mounted-secrets.require-mount=false or import the mount with "
            + "spring.config.import=optional:mounted-secrets:<directory>.",
        cause);
  }
}
