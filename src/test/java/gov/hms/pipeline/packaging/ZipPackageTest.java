package gov.hms.pipeline.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import gov.hms.pipeline.api.Deployment;
import gov.hms.pipeline.api.Source;
import gov.hms.pipeline.support.PackageVerifier;
import gov.hms.pipeline.validation.PolicyRejectedException;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TimeZone;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ZIP package and package signing, without the service around them. */
class ZipPackageTest {

    static final String POLICY = """
            {"title":"Flu clinics","id":"policy-2024-flu","content":"Clinics open in October.","version":"2.1",
             "approval":{"approvedAt":"2024-09-12T14:30:00Z","approvedBy":"board"},"effectiveDate":"2024-10-01"}""";
    /** RFC 8785 of {@link #POLICY}, written out by hand: keys sorted at every level, no spaces. */
    static final String CANONICAL_POLICY = "{\"approval\":{\"approvedAt\":\"2024-09-12T14:30:00Z\",\"approvedBy\":\"board\"},"
            + "\"content\":\"Clinics open in October.\",\"effectiveDate\":\"2024-10-01\",\"id\":\"policy-2024-flu\","
            + "\"title\":\"Flu clinics\",\"version\":\"2.1\"}";
    /**
     * SHA-256 of the unsigned ZIP of {@link #POLICY} by generator test/0. A constant in the
     * source, so equal bytes are checked across runs, JVMs and machines, not only within one run.
     */
    static final String GOLDEN_UNSIGNED_ZIP_SHA256 = "79a71f9fdbfeb2023d802a028c2dc940ef5c77bf10fafab3d55f9eace6483ff1";

    private final ObjectMapper mapper = new ObjectMapper();

    static PolicyPackager packager(PackageSigner signer) {
        return new PolicyPackager(Long.MAX_VALUE, signer, () -> Set.of(PolicyPackage.JSON, PolicyPackage.ZIP),
                new PolicyPackager.Generator("test", "0"));
    }

    private Deployment packaged(PolicyPackager packager, String json) throws Exception {
        Deployment deployment = new Deployment(Source.API, null, "test", null);
        JsonNode policy = mapper.readTree(json);
        deployment.policy(policy);
        deployment.identify(policy.path("id").asText(), null);
        packager.packageFor(deployment);
        return deployment;
    }

    private PolicyPackage zipOf(PolicyPackager packager, String json) throws Exception {
        return packaged(packager, json).packageIn(PolicyPackage.ZIP);
    }

    @Test
    void zipHoldsCanonicalPolicyAndAManifestWhoseHashesRecompute() throws Exception {
        PolicyPackage zip = zipOf(packager(PackageSigner.unsigned()), POLICY);
        assertThat(zip.contentType()).isEqualTo("application/zip");
        assertThat(zip.sha256()).isEqualTo(PackageVerifier.sha256Hex(zip.bytes()));

        Map<String, byte[]> entries = PackageVerifier.entries(zip.bytes());
        assertThat(entries.keySet()).containsExactly("manifest.json", "policy.json");
        assertThat(new String(entries.get("policy.json"), StandardCharsets.UTF_8)).isEqualTo(CANONICAL_POLICY);
        assertThat(PackageVerifier.zipProblems(entries, null)).isEmpty();

        JsonNode manifest = mapper.readTree(entries.get("manifest.json"));
        assertThat(manifest.path("packageFormat").asInt()).isEqualTo(1);
        assertThat(manifest.path("policyId").asText()).isEqualTo("policy-2024-flu");
        assertThat(manifest.path("version").asText()).isEqualTo("2.1");
        assertThat(manifest.path("createdAt").asText()).isEqualTo("2024-09-12T14:30:00Z");
        assertThat(manifest.at("/generator/name").asText()).isEqualTo("test");
        assertThat(manifest.at("/generator/version").asText()).isEqualTo("0");
        assertThat(manifest.path("files")).hasSize(1);
        assertThat(manifest.at("/files/0/name").asText()).isEqualTo("policy.json");
        assertThat(manifest.at("/files/0/sha256").asText())
                .isEqualTo(PackageVerifier.sha256Hex(CANONICAL_POLICY.getBytes(StandardCharsets.UTF_8)));
        assertThat(manifest.at("/files/0/size").asInt()).isEqualTo(CANONICAL_POLICY.getBytes(StandardCharsets.UTF_8).length);
        // The manifest itself is canonical JSON too.
        assertThat(entries.get("manifest.json")).isEqualTo(PackageVerifier.canonical(manifest));
    }

    @Test
    void entriesHaveFixedTimeMethodAndNoExtraFields(@TempDir Path dir) throws Exception {
        PolicyPackage zip = zipOf(packager(new PackageSigner(ed25519("k1"))), POLICY);
        Path file = Files.write(dir.resolve("p.zip"), zip.bytes());
        try (ZipFile zipFile = new ZipFile(file.toFile())) {
            List<? extends ZipEntry> entries = Collections.list(zipFile.entries());
            assertThat(entries).extracting(ZipEntry::getName).containsExactly("manifest.json", "policy.json", "signatures.json");
            for (ZipEntry entry : entries) {
                assertThat(entry.getMethod()).isEqualTo(ZipEntry.STORED);
                assertThat(entry.getTimeLocal()).isEqualTo(LocalDateTime.of(1980, 2, 1, 0, 0));
                assertThat(entry.getExtra()).isNull();
                assertThat(entry.getComment()).isNull();
                assertThat(entry.getLastModifiedTime().toMillis()).isEqualTo(entry.getTime());
            }
            assertThat(zipFile.getComment()).isNull();
        }
    }

    @Test
    void samePolicyGivesIdenticalBytesAcrossInstancesTimeZonesAndRuns() throws Exception {
        PolicyPackage first = zipOf(packager(PackageSigner.unsigned()), POLICY);
        TimeZone zone = TimeZone.getDefault();
        PolicyPackage second;
        try {
            // What a machine elsewhere would do: another zone, a fresh packager (as after a restart).
            TimeZone.setDefault(TimeZone.getTimeZone("Pacific/Chatham"));
            second = zipOf(packager(PackageSigner.unsigned()), POLICY.replace("\"id\"", " \"id\" "));
        } finally {
            TimeZone.setDefault(zone);
        }
        assertThat(second.bytes()).isEqualTo(first.bytes());
        assertThat(first.sha256()).isEqualTo(GOLDEN_UNSIGNED_ZIP_SHA256);

        JWK key = ed25519("k1");
        PolicyPackage signedOnce = zipOf(packager(new PackageSigner(key)), POLICY);
        PolicyPackage signedTwice = zipOf(packager(new PackageSigner(key)), POLICY);
        assertThat(signedTwice.bytes()).isEqualTo(signedOnce.bytes());
        JWK rsa = new RSAKeyGenerator(2048).keyID("r1").generate();
        assertThat(zipOf(packager(new PackageSigner(rsa)), POLICY).bytes())
                .isEqualTo(zipOf(packager(new PackageSigner(rsa)), POLICY).bytes());
    }

    @Test
    void changedContentGivesADifferentSha256() throws Exception {
        PolicyPackager packager = packager(PackageSigner.unsigned());
        PolicyPackage original = zipOf(packager, POLICY);
        PolicyPackage changed = zipOf(packager, POLICY.replace("Clinics open in October.", "Clinics open in November."));
        assertThat(changed.sha256()).isNotEqualTo(original.sha256());
    }

    @Test
    void ed25519AndRs256SignaturesVerifyWithThePublishedKeysAndATamperedEntryFails() throws Exception {
        for (JWK key : List.of(ed25519("ed-1"), new RSAKeyGenerator(2048).keyID("rsa-1").generate())) {
            PackageSigner signer = new PackageSigner(key);
            JWKSet published = JWKSet.parse(signer.publicJwks());
            assertThat(published.getKeys()).hasSize(1);
            assertThat(published.getKeys().get(0).isPrivate()).isFalse();
            assertThat(signer.publicJwks()).doesNotContain("\"d\"");

            Deployment deployment = packaged(packager(signer), POLICY);
            Map<String, byte[]> entries = PackageVerifier.entries(deployment.packageIn(PolicyPackage.ZIP).bytes());
            assertThat(PackageVerifier.zipProblems(entries, published)).as(key.getKeyType().getValue()).isEmpty();
            assertThat(PackageVerifier.envelopeProblems(deployment.packageIn(PolicyPackage.JSON).bytes(), published)).isEmpty();

            Map<String, byte[]> tampered = new LinkedHashMap<>(entries);
            tampered.put("policy.json", CANONICAL_POLICY.replace("October", "Octobre").getBytes(StandardCharsets.UTF_8));
            assertThat(PackageVerifier.zipProblems(tampered, published)).isNotEmpty();

            JWK impostor = key instanceof com.nimbusds.jose.jwk.RSAKey
                    ? new RSAKeyGenerator(2048).keyID(key.getKeyID()).generate() : ed25519(key.getKeyID());
            JWKSet otherKey = JWKSet.parse(new PackageSigner(impostor).publicJwks());
            assertThat(PackageVerifier.zipProblems(entries, otherKey)).contains("signature does not verify");
        }
    }

    @Test
    void envelopeCarriesADetachedJwsOfItsCanonicalManifest() throws Exception {
        PackageSigner signer = new PackageSigner(ed25519("ed-1"));
        JWKSet published = JWKSet.parse(signer.publicJwks());
        byte[] envelope = packaged(packager(signer), POLICY).packageIn(PolicyPackage.JSON).bytes();
        ObjectNode node = (ObjectNode) mapper.readTree(envelope);
        String signature = node.path("signature").asText();
        assertThat(signature).matches("[A-Za-z0-9_-]+\\.\\.[A-Za-z0-9_-]+");
        assertThat(PackageVerifier.envelopeProblems(envelope, published)).isEmpty();

        ((ObjectNode) node.path("manifest")).put("createdAt", "2030-01-01T00:00:00Z");
        assertThat(PackageVerifier.envelopeProblems(PackageVerifier.canonical(node), published))
                .containsExactly("signature does not verify");
        // Unsigned, the envelope is exactly as before signing existed.
        byte[] unsigned = packaged(packager(PackageSigner.unsigned()), POLICY).packageIn(PolicyPackage.JSON).bytes();
        assertThat(mapper.readTree(unsigned).has("signature")).isFalse();
    }

    @Test
    void keysThatCannotSignDeterministicallyOrHaveNoKidAreRefused() throws Exception {
        assertThatThrownBy(() -> new PackageSigner(new ECKeyGenerator(Curve.P_256).keyID("ec").generate()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("byte-identical");
        assertThatThrownBy(() -> new PackageSigner(ed25519("pub").toPublicJWK()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("private");
        assertThatThrownBy(() -> new PackageSigner(new OctetKeyPairGenerator(Curve.Ed25519).generate()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("kid");
        assertThatThrownBy(() -> new PackageSigner(new RSAKeyGenerator(2048).keyID("ps")
                .algorithm(com.nimbusds.jose.JWSAlgorithm.PS256).generate()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("RS256");
        assertThat(PackageSigner.unsigned().publicJwks()).isEqualTo("{\"keys\":[]}");
    }

    @Test
    void aPackageOverMaxBytesIsRefusedWith413() throws Exception {
        PolicyPackager small = new PolicyPackager(600, PackageSigner.unsigned(),
                () -> Set.of(PolicyPackage.JSON, PolicyPackage.ZIP), new PolicyPackager.Generator("test", "0"));
        // The JSON envelope fits; the ZIP (headers and manifest added) does not.
        assertThat(packaged(packager(PackageSigner.unsigned()), POLICY).packageIn(PolicyPackage.JSON).size()).isLessThan(600);
        assertThatThrownBy(() -> packaged(small, POLICY))
                .isInstanceOfSatisfying(PolicyRejectedException.class, e -> assertThat(e.httpStatus()).isEqualTo(413))
                .hasMessageContaining("Package too large").hasMessageContaining("zip package")
                .hasMessageContaining("pipeline.packaging.max-bytes");
    }

    @Test
    void zipIsMadeOnlyWhenATargetWantsIt() throws Exception {
        PolicyPackager jsonOnly = new PolicyPackager(Long.MAX_VALUE, PackageSigner.unsigned(),
                () -> Set.of(PolicyPackage.JSON), new PolicyPackager.Generator("test", "0"));
        Deployment deployment = packaged(jsonOnly, POLICY);
        assertThat(deployment.packages()).extracting(PolicyPackage::format).containsExactly("json");
    }

    @Test
    void systemUnzipTestsTheArchiveOk() throws Exception {
        assumeTrue(PackageVerifier.unzipInstalled(), "no unzip on PATH: java.util.zip checks above still ran");
        PolicyPackage zip = zipOf(packager(new PackageSigner(ed25519("k1"))), POLICY);
        assertThat(PackageVerifier.systemUnzipTest(zip.bytes()))
                .contains("OK").contains("manifest.json").contains("policy.json").contains("signatures.json")
                .contains("No errors detected");
    }

    static JWK ed25519(String kid) throws Exception {
        return new OctetKeyPairGenerator(Curve.Ed25519).keyID(kid).generate();
    }
}
