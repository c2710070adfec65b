package gov.hms.pipeline.audit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;

/**
 * The public half of a chain's checkpoint key: what verification trusts. For this instance's own chain it
 * comes from its signing key ({@link CheckpointSigner#key()}); for another instance's chain in a shared
 * folder, from the public key that instance published there ({@code checkpoint-key.<instance>.pub.pem}).
 *
 * @param key   Ed25519 (RFC 8032)
 * @param keyId SHA-256 hex of the key's X.509 DER encoding
 */
record CheckpointKey(PublicKey key, String keyId) {

    CheckpointKey(PublicKey key) {
        this(key, CheckpointSigner.keyIdOf(key));
    }

    /**
     * Reads an X.509 SubjectPublicKeyInfo PEM ({@code -----BEGIN PUBLIC KEY-----}).
     *
     * @throws IOException if it cannot be read or holds no Ed25519 public key (the message names the file)
     */
    static CheckpointKey read(Path pem) throws IOException {
        try {
            return new CheckpointKey(KeyFactory.getInstance(CheckpointSigner.ALGORITHM)
                    .generatePublic(new X509EncodedKeySpec(CheckpointSigner.pemBody(Files.readString(pem), "PUBLIC KEY"))));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException("checkpoint public key " + pem + ": " + e.getMessage(), e);
        }
    }

    /** Whether {@code base64Signature} is this key's signature of {@code payload}. */
    boolean verify(byte[] payload, String base64Signature) {
        return CheckpointSigner.verify(key, payload, base64Signature);
    }
}
