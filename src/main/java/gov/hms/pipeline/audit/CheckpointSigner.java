package gov.hms.pipeline.audit;

import com.google.crypto.tink.subtle.Ed25519Sign;
import gov.hms.pipeline.packaging.CanonicalJson;
import io.quarkus.logging.Log;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * The Ed25519 key (RFC 8032) that signs checkpoints, with the JDK's own provider.
 * <p>
 * The private key is a PKCS#8 PEM file ({@code -----BEGIN PRIVATE KEY-----}, as written by
 * {@code openssl genpkey -algorithm ed25519}); if it does not exist it is generated on first start
 * with owner-only permissions. The public key is derived from it and written next to it as an
 * X.509 SubjectPublicKeyInfo PEM ({@code -----BEGIN PUBLIC KEY-----}) for auditors. A key is named
 * by its {@code keyId}: SHA-256 hex of the public key's DER encoding.
 * <p>
 * Signing uses Tink's Ed25519 ({@link Ed25519Sign}; Tink is already here for nimbus-jose-jwt): it
 * is about four times faster than JDK 17's own provider, which was the audit writer's largest cost
 * (BENCHMARKS.md). Ed25519 signatures are deterministic (RFC 8032 section 5.1.6), so both give the
 * same bytes, and verification stays with the JDK.
 */
final class CheckpointSigner {

    static final String ALGORITHM = "Ed25519";

    private final Ed25519Sign signer;
    private final PublicKey publicKey;
    private final String keyId;

    private CheckpointSigner(PrivateKey privateKey, PublicKey publicKey) throws GeneralSecurityException {
        this.signer = new Ed25519Sign(seedOf(privateKey));
        this.publicKey = publicKey;
        this.keyId = keyIdOf(publicKey);
    }

    /**
     * Reads the private key, or creates it (and its folder) if absent; (re)writes the public key file
     * if it is missing.
     *
     * @throws IOException              if a key file cannot be read or written
     * @throws GeneralSecurityException if the file holds no Ed25519 PKCS#8 key
     */
    static CheckpointSigner loadOrCreate(Path privatePem, Path publicPem) throws IOException, GeneralSecurityException {
        KeyPair pair;
        if (Files.exists(privatePem)) {
            PrivateKey key = KeyFactory.getInstance(ALGORITHM)
                    .generatePrivate(new PKCS8EncodedKeySpec(pemBody(Files.readString(privatePem), "PRIVATE KEY")));
            pair = new KeyPair(derivePublic(key), key);
        } else {
            pair = KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
            Files.createDirectories(privatePem.toAbsolutePath().getParent());
            writeOwnerOnly(privatePem, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
            Log.warnf("audit checkpoints: generated a new Ed25519 signing key at %s; give auditors %s", privatePem,
                    publicPem);
        }
        String publicText = pem("PUBLIC KEY", pair.getPublic().getEncoded());
        if (!Files.exists(publicPem) || !Files.readString(publicPem).equals(publicText)) {
            Files.writeString(publicPem, publicText);
        }
        return new CheckpointSigner(pair.getPrivate(), pair.getPublic());
    }

    /** @return the base64 Ed25519 signature of {@code payload} */
    String sign(byte[] payload) {
        try {
            return Base64.getEncoder().encodeToString(signer.sign(payload));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed", e);
        }
    }

    /** Whether {@code base64Signature} is this key's signature of {@code payload}. */
    boolean verify(byte[] payload, String base64Signature) {
        return verify(publicKey, payload, base64Signature);
    }

    static boolean verify(PublicKey key, byte[] payload, String base64Signature) {
        try {
            Signature signature = Signature.getInstance(ALGORITHM);
            signature.initVerify(key);
            signature.update(payload);
            return signature.verify(Base64.getDecoder().decode(base64Signature));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    String keyId() {
        return keyId;
    }

    /** The public half, which checkpoints are verified with. */
    CheckpointKey key() {
        return new CheckpointKey(publicKey, keyId);
    }

    static String keyIdOf(PublicKey key) {
        return CanonicalJson.sha256Hex(key.getEncoded());
    }

    /**
     * The JDK cannot derive an Ed25519 public key from a private one directly, but its key pair
     * generator derives the public key from 32 random bytes, which for Ed25519 are the private
     * key (RFC 8032 section 5.1.5): so it is handed those bytes, and the result checked.
     */
    private static PublicKey derivePublic(PrivateKey key) throws GeneralSecurityException {
        byte[] seed = seedOf(key);
        KeyPairGenerator generator = KeyPairGenerator.getInstance(ALGORITHM);
        generator.initialize(NamedParameterSpec.ED25519, new SecureRandom() {
            @Override
            public void nextBytes(byte[] bytes) {
                System.arraycopy(seed, 0, bytes, 0, Math.min(seed.length, bytes.length));
            }
        });
        KeyPair derived = generator.generateKeyPair();
        if (!Arrays.equals(((EdECPrivateKey) derived.getPrivate()).getBytes().orElseThrow(), seed)) {
            throw new GeneralSecurityException("could not derive the Ed25519 public key");
        }
        return derived.getPublic();
    }

    /** The 32 bytes an Ed25519 private key is made of (RFC 8032 section 5.1.5). */
    private static byte[] seedOf(PrivateKey key) throws GeneralSecurityException {
        return ((EdECPrivateKey) key).getBytes()
                .orElseThrow(() -> new GeneralSecurityException("the Ed25519 private key has no key bytes"));
    }

    static byte[] pemBody(String pem, String label) throws GeneralSecurityException {
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        int from = pem.indexOf(begin);
        int to = pem.indexOf(end);
        if (from < 0 || to < from) {
            throw new GeneralSecurityException("not a PEM " + label);
        }
        return Base64.getMimeDecoder().decode(pem.substring(from + begin.length(), to));
    }

    private static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + label + "-----\n";
    }

    private static void writeOwnerOnly(Path file, String text) throws IOException {
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, text, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
        } else {
            Files.writeString(file, text, StandardCharsets.US_ASCII, StandardOpenOption.CREATE_NEW);
        }
    }
}
