package io.github.mountedsecrets.quarkus;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.test.CertificateAuthority;
import io.github.mountedsecrets.test.IssuedCertificate;
import io.github.mountedsecrets.test.SecretsMount;
import io.github.mountedsecrets.test.TlsMountWriter;
import io.github.mountedsecrets.tls.TlsKeys;
import io.github.mountedsecrets.tls.TlsMaterial;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The key manager behind a mount TLS configuration: a handshake that chose its alias before a
 * rotation still gets the chain and the key of that same generation, never one of each.
 */
class FollowingKeyManagerTest {
  @TempDir Path temp;

  @Test
  void anAliasChosenBeforeARotationKeepsItsGenerationsChainAndKey() {
    CertificateAuthority ca = CertificateAuthority.create("key manager test CA");
    IssuedCertificate first = ca.server("first");
    IssuedCertificate second = ca.server("second");
    IssuedCertificate third = ca.server("third");
    String keyType = first.certificate().getPublicKey().getAlgorithm();
    FollowingKeyManager keys = new FollowingKeyManager(material(first));

    String before = keys.chooseServerAlias(keyType, null, null);
    keys.serve(material(second));
    assertThat(keys.getCertificateChain(before)[0]).isEqualTo(first.certificate());
    assertThat(keys.getPrivateKey(before)).isEqualTo(first.privateKey());

    String after = keys.chooseEngineServerAlias(keyType, null, null);
    assertThat(after).isNotEqualTo(before);
    assertThat(keys.getCertificateChain(after)[0]).isEqualTo(second.certificate());
    assertThat(keys.getPrivateKey(after)).isEqualTo(second.privateKey());

    // Two rotations later the first generation is gone: its alias names nothing.
    keys.serve(material(third));
    assertThat(keys.getCertificateChain(before)).isNull();
    assertThat(keys.getPrivateKey(before)).isNull();
    assertThat(keys.getCertificateChain(after)[0]).isEqualTo(second.certificate());
    assertThat(keys.getServerAliases(keyType, null)).allSatisfy(alias ->
        assertThat(keys.getCertificateChain(alias)[0]).isEqualTo(third.certificate()));
    assertThat(keys.chooseServerAlias("no such key type", null, null)).isNull();
    assertThat(keys.toString()).contains("CN=third").doesNotContain("PRIVATE KEY");
  }

  private TlsMaterial material(IssuedCertificate issued) {
    SecretsMount mount = SecretsMount.atomicWriter(temp.resolve(issued.certificate()
        .getSerialNumber().toString()));
    TlsMountWriter.separateFiles(mount, "tls.crt", "tls.key").publish(issued);
    try (MountedSecrets secrets = MountedSecrets.builder().directory(mount.directory())
        .watch(false).pollInterval(Duration.ofHours(1)).build()) {
      return TlsMaterial.read(secrets.snapshot(), TlsKeys.of("tls.crt", "tls.key"));
    }
  }
}
