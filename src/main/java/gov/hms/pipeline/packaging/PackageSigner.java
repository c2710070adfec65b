package gov.hms.pipeline.packaging;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import gov.hms.pipeline.config.PipelineConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.List;

/**
 * Signs packages with the operator's key ({@code pipeline.packaging.signing-key}, a private JWK,
 * RFC 7517) as JWS (RFC 7515), and publishes the public half as a JWK Set.
 * <p>
 * Only deterministic signature schemes are accepted, so that a signed package is byte-identical
 * every time: Ed25519 ({@code EdDSA}, RFC 8032/8037) and RSASSA-PKCS1-v1_5 ({@code RS256}).
 * ECDSA ({@code ES256}) and RSA-PSS ({@code PS256}) draw a random number per signature and are
 * refused. The protected header is {@code {"alg","kid"}} written as RFC 8785 canonical JSON; no
 * time is signed.
 * <p>
 * Created at start-up ({@link Startup}) so a missing or unusable key stops the service at once
 * rather than at the first deployment. Key material is never logged.
 */
@ApplicationScoped
@Startup
public class PackageSigner {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final JWK privateKey;
    private final JWSAlgorithm algorithm;
    private final JWSSigner signer;
    private final Base64URL protectedHeader;

    @Inject
    public PackageSigner(PipelineConfig config) {
        this(config.packaging().signingKey().map(PackageSigner::readKey).orElse(null));
        config.packaging().signingKey().ifPresent(path -> Log.infof("packages are signed (%s, kid %s); public key at GET /api/keys",
                algorithm, privateKey.getKeyID()));
    }

    /**
     * @param privateKey a private Ed25519 ({@code OKP}) or RSA JWK with a {@code kid}, or {@code null} for no signing
     * @throws IllegalArgumentException if the key cannot sign deterministically or has no {@code kid}
     */
    public PackageSigner(JWK privateKey) {
        this.privateKey = privateKey;
        if (privateKey == null) {
            this.algorithm = null;
            this.signer = null;
            this.protectedHeader = null;
            return;
        }
        if (!privateKey.isPrivate()) {
            throw new IllegalArgumentException("the signing key must be a private JWK (it has no private part)");
        }
        if (privateKey.getKeyID() == null || privateKey.getKeyID().isBlank()) {
            throw new IllegalArgumentException("the signing key needs a 'kid' so targets can find it in GET /api/keys");
        }
        requireAtLeast2048BitRsa(privateKey);
        try {
            if (KeyType.OKP.equals(privateKey.getKeyType())
                    && Curve.Ed25519.equals(((OctetKeyPair) privateKey).getCurve())) {
                requireAlgorithm(privateKey, JWSAlgorithm.EdDSA);
                this.algorithm = JWSAlgorithm.EdDSA;
                this.signer = new Ed25519Signer((OctetKeyPair) privateKey);
            } else if (KeyType.RSA.equals(privateKey.getKeyType())) {
                requireAlgorithm(privateKey, JWSAlgorithm.RS256);
                this.algorithm = JWSAlgorithm.RS256;
                this.signer = new RSASSASigner((RSAKey) privateKey);
            } else {
                throw new IllegalArgumentException("the signing key must be Ed25519 (kty OKP, crv Ed25519) or RSA;"
                        + " " + privateKey.getKeyType() + " keys sign with a random number, so packages would not"
                        + " be byte-identical");
            }
        } catch (JOSEException e) {
            throw new IllegalArgumentException("the signing key cannot sign: " + e.getMessage(), e);
        }
        ObjectNode header = MAPPER.createObjectNode();
        header.put("alg", algorithm.getName());
        header.put("kid", privateKey.getKeyID());
        this.protectedHeader = Base64URL.encode(CanonicalJson.canonicalize(header));
    }

    /** @return a signer that signs nothing ({@link #enabled()} is false) */
    public static PackageSigner unsigned() {
        return new PackageSigner((JWK) null);
    }

    /** Whether packages are signed. */
    public boolean enabled() {
        return signer != null;
    }

    /** @return the {@code kid} of the signing key, or {@code null} when not signing */
    public String keyId() {
        return privateKey == null ? null : privateKey.getKeyID();
    }

    /**
     * @param payload the bytes to sign (this service always passes RFC 8785 canonical JSON)
     * @return the JWS Compact Serialization {@code header.payload.signature} (RFC 7515 section 7.1)
     * @throws IllegalStateException if signing is off
     */
    public String signCompact(byte[] payload) {
        return sign(payload).serialize();
    }

    /**
     * @param payload the bytes to sign, which travel separately
     * @return the detached JWS {@code header..signature} (RFC 7515 appendix F): the payload part is
     *         empty, a verifier puts back base64url of the same bytes
     * @throws IllegalStateException if signing is off
     */
    public String signDetached(byte[] payload) {
        return sign(payload).serialize(true);
    }

    /** @return the public JWK Set (RFC 7517 section 5) as JSON, {@code {"keys":[...]}}; no keys when not signing */
    public String publicJwks() {
        List<JWK> keys = privateKey == null ? List.of() : List.of(privateKey.toPublicJWK());
        return new JWKSet(keys).toString(true);
    }

    private JWSObject sign(byte[] payload) {
        if (signer == null) {
            throw new IllegalStateException("package signing is off (pipeline.packaging.signing-key is not set)");
        }
        try {
            // Parsing our own canonical header keeps its exact bytes in the signing input.
            JWSObject jws = new JWSObject(JWSHeader.parse(protectedHeader), new Payload(payload));
            jws.sign(signer);
            return jws;
        } catch (JOSEException | ParseException e) {
            throw new IllegalStateException("signing failed: " + e.getMessage(), e);
        }
    }

    private static void requireAlgorithm(JWK key, JWSAlgorithm expected) {
        if (key.getAlgorithm() != null && !expected.getName().equals(key.getAlgorithm().getName())) {
            throw new IllegalArgumentException("the signing key says alg " + key.getAlgorithm().getName()
                    + "; a " + key.getKeyType() + " key signs packages with " + expected.getName() + " only");
        }
    }

    private static void requireAtLeast2048BitRsa(JWK key) {
        if (key instanceof RSAKey rsa && rsa.size() < 2048) {
            throw new IllegalArgumentException("the RSA signing key has " + rsa.size() + " bits; at least 2048 are needed");
        }
    }

    private static JWK readKey(Path file) {
        String json;
        try {
            json = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("pipeline.packaging.signing-key: cannot read " + file + " ("
                    + e.getClass().getSimpleName() + ")", e);
        }
        try {
            return JWK.parse(json);
        } catch (ParseException e) {
            // The message of a JWK parse error can quote the key: do not pass it on.
            throw new IllegalArgumentException("pipeline.packaging.signing-key: " + file + " is not a JWK (RFC 7517)");
        }
    }
}
