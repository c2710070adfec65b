package gov.hms.pipeline.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.erdtman.jcs.JsonCanonicalizer;

/**
 * What a target does with a package, written independently of the service's packaging code
 * (docs/packaging.md, "How a target verifies"): open the ZIP, check every hash, check the
 * signature with a key from the published JWK Set. Each check returns the problems it found;
 * an empty list means verified.
 */
public final class PackageVerifier {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private PackageVerifier() {
    }

    /** Opens a ZIP with {@link ZipFile} (central directory, as a target would) and returns its entries in order. */
    public static Map<String, byte[]> entries(byte[] zip) {
        try {
            Path file = Files.createTempFile("package-", ".zip");
            try {
                Files.write(file, zip);
                Map<String, byte[]> entries = new LinkedHashMap<>();
                try (ZipFile zipFile = new ZipFile(file.toFile())) {
                    for (ZipEntry entry : Collections.list(zipFile.entries())) {
                        try (var in = zipFile.getInputStream(entry)) {
                            entries.put(entry.getName(), in.readAllBytes());
                        }
                    }
                }
                return entries;
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Checks a ZIP package's entries: every file the manifest lists has its sha256 and size; if
     * {@code jwks} is given, {@code signatures.json} holds a JWS that verifies with the key its
     * {@code kid} names and whose payload lists exactly the other entries with their SHA-256.
     */
    public static List<String> zipProblems(Map<String, byte[]> entries, JWKSet jwks) {
        List<String> problems = new ArrayList<>();
        JsonNode manifest = json(entries.get("manifest.json"));
        if (manifest == null) {
            return List.of("no manifest.json");
        }
        for (JsonNode file : manifest.path("files")) {
            byte[] bytes = entries.get(file.path("name").asText());
            if (bytes == null) {
                problems.add("manifest lists missing " + file.path("name").asText());
            } else if (!sha256Hex(bytes).equals(file.path("sha256").asText()) || bytes.length != file.path("size").asInt()) {
                problems.add("manifest hash or size differs for " + file.path("name").asText());
            }
        }
        if (jwks == null) {
            return problems;
        }
        JsonNode signatures = json(entries.get("signatures.json"));
        if (signatures == null || signatures.path("signatures").size() != 1) {
            problems.add("signatures.json missing or not one signature");
            return problems;
        }
        JWSObject jws;
        try {
            jws = JWSObject.parse(signatures.path("signatures").get(0).asText());
        } catch (ParseException e) {
            problems.add("signature is not a JWS");
            return problems;
        }
        problems.addAll(signatureProblems(jws, jwks));
        Map<String, String> signed = new LinkedHashMap<>();
        for (JsonNode file : json(jws.getPayload().toBytes()).path("files")) {
            if (!"SHA-256".equals(file.path("algorithm").asText())) {
                problems.add("unexpected hash algorithm for " + file.path("name").asText());
            }
            signed.put(file.path("name").asText(), file.path("hash").asText());
        }
        Map<String, String> actual = new LinkedHashMap<>();
        entries.forEach((name, bytes) -> {
            if (!"signatures.json".equals(name)) {
                actual.put(name, sha256Hex(bytes));
            }
        });
        if (!signed.equals(actual)) {
            problems.add("signed file list " + signed + " differs from the entries " + actual);
        }
        return problems;
    }

    /**
     * Checks a JSON envelope: {@code manifest.sha256} is the SHA-256 of the canonical policy and,
     * if {@code jwks} is given, {@code signature} is a detached JWS over the canonical manifest.
     */
    public static List<String> envelopeProblems(byte[] envelopeBytes, JWKSet jwks) {
        List<String> problems = new ArrayList<>();
        JsonNode envelope = json(envelopeBytes);
        if (!sha256Hex(canonical(envelope.path("policy"))).equals(envelope.at("/manifest/sha256").asText())) {
            problems.add("manifest.sha256 is not the hash of the canonical policy");
        }
        if (jwks != null) {
            try {
                JWSObject jws = JWSObject.parse(envelope.path("signature").asText(),
                        new Payload(canonical(envelope.path("manifest"))));
                problems.addAll(signatureProblems(jws, jwks));
            } catch (ParseException e) {
                problems.add("signature is not a detached JWS");
            }
        }
        return problems;
    }

    private static List<String> signatureProblems(JWSObject jws, JWKSet jwks) {
        JWK key = jwks.getKeyByKeyId(jws.getHeader().getKeyID());
        if (key == null) {
            return List.of("no published key with kid " + jws.getHeader().getKeyID());
        }
        try {
            JWSVerifier verifier = key instanceof OctetKeyPair okp ? new Ed25519Verifier(okp.toPublicJWK())
                    : new RSASSAVerifier(((RSAKey) key).toRSAPublicKey());
            return jws.verify(verifier) ? List.of() : List.of("signature does not verify");
        } catch (JOSEException e) {
            return List.of("signature cannot be checked: " + e.getMessage());
        }
    }

    /**
     * Runs the system's {@code unzip -t} on the package.
     *
     * @return its output, or {@code null} when no {@code unzip} is installed
     * @throws AssertionError if unzip reports an error
     */
    public static String systemUnzipTest(byte[] zip) throws IOException, InterruptedException {
        if (!unzipInstalled()) {
            return null;
        }
        Path file = Files.createTempFile("package-", ".zip");
        try {
            Files.write(file, zip);
            Process process = new ProcessBuilder("unzip", "-t", file.toString()).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new AssertionError("unzip -t failed: " + output);
            }
            return output;
        } finally {
            Files.deleteIfExists(file);
        }
    }

    public static boolean unzipInstalled() {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "unzip"))) {
                return true;
            }
        }
        return false;
    }

    /** RFC 8785, by the reference library rather than the service's own wrapper. */
    public static byte[] canonical(JsonNode node) {
        try {
            return new JsonCanonicalizer(MAPPER.writeValueAsString(node)).getEncodedUTF8();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode json(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        try {
            return MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
