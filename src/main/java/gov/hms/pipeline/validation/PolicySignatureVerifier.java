package gov.hms.pipeline.validation;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import gov.hms.pipeline.api.Deployment;
import gov.hms.pipeline.config.PipelineConfig;
import gov.hms.pipeline.packaging.CanonicalJson;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.camel.ExchangeProperty;

/**
 * Proves a policy is the one that was approved: verifies the detached JWS (RFC 7515 appendix F,
 * compact form {@code header..signature}) the sender attached, over the policy's RFC 8785
 * canonical JSON, with a public key from the JWKS file {@code pipeline.signature.jwks} chosen by
 * the JWS {@code kid}. Algorithms: EdDSA (Ed25519), ES256, RS256; {@code none} and HMAC are
 * refused. A present signature must always verify; with {@code pipeline.signature.required}
 * an absent one is refused too.
 */
@ApplicationScoped
@Named("policySignatureVerifier")
public class PolicySignatureVerifier {

    static final Set<JWSAlgorithm> ACCEPTED = Set.of(JWSAlgorithm.EdDSA, JWSAlgorithm.Ed25519, JWSAlgorithm.ES256,
            JWSAlgorithm.RS256);

    private final Optional<JWKSet> keys;
    private final boolean required;

    public PolicySignatureVerifier(PipelineConfig config) {
        this.keys = config.signature().jwks().map(PolicySignatureVerifier::load);
        this.required = config.signature().required();
        if (required && keys.isEmpty()) {
            throw new IllegalStateException("pipeline.signature.required=true needs pipeline.signature.jwks");
        }
    }

    /**
     * Verifies the deployment's signature, if any, and records the signer's key id on it.
     *
     * @throws PolicyRejectedException 422 "Signature verification failed" with the reason at path ""
     */
    public void verify(@ExchangeProperty(Deployment.PROPERTY) Deployment deployment) {
        String signature = deployment.signature();
        if (signature == null) {
            if (required) {
                throw rejected("the policy is unsigned, and pipeline.signature.required is on");
            }
            return;
        }
        if (keys.isEmpty()) {
            throw rejected("the policy is signed, but no signing keys are configured (pipeline.signature.jwks)");
        }
        JWSObject jws;
        try {
            jws = JWSObject.parse(signature, new Payload(CanonicalJson.canonicalize(deployment.policy())));
        } catch (ParseException e) {
            throw rejected("not a detached JWS in compact form (header..signature): " + e.getMessage());
        }
        JWSHeader header = jws.getHeader();
        if (!ACCEPTED.contains(header.getAlgorithm())) {
            throw rejected("algorithm " + header.getAlgorithm() + " is not accepted (use EdDSA, ES256 or RS256)");
        }
        String keyId = header.getKeyID();
        JWK key = keyId == null ? null : keys.get().getKeyByKeyId(keyId);
        if (key == null) {
            throw rejected("signed by key '" + keyId + "', which is not in the configured key set");
        }
        try {
            if (!jws.verify(verifierFor(key, header.getAlgorithm()))) {
                throw rejected("the signature does not match the policy (was it changed after signing?)");
            }
        } catch (JOSEException e) {
            throw rejected("the signature could not be checked with key '" + keyId + "': " + e.getMessage());
        }
        deployment.signerKeyId(keyId);
        Log.infof("deployment %s: signature verified with key %s", deployment.id(), keyId);
    }

    private static JWSVerifier verifierFor(JWK key, JWSAlgorithm algorithm) throws JOSEException {
        if (key instanceof OctetKeyPair okp && (algorithm.equals(JWSAlgorithm.EdDSA) || algorithm.equals(JWSAlgorithm.Ed25519))) {
            return new Ed25519Verifier(okp.toPublicJWK());
        }
        if (key instanceof ECKey ec && algorithm.equals(JWSAlgorithm.ES256)) {
            return new ECDSAVerifier(ec.toPublicJWK());
        }
        if (key instanceof RSAKey rsa && algorithm.equals(JWSAlgorithm.RS256)) {
            return new RSASSAVerifier(rsa.toPublicJWK());
        }
        throw new JOSEException("key type " + key.getKeyType() + " does not fit algorithm " + algorithm);
    }

    private static PolicyRejectedException rejected(String reason) {
        return new PolicyRejectedException(422, "Signature verification failed: " + reason,
                List.of(new ValidationError("", reason)));
    }

    private static JWKSet load(Path file) {
        try {
            JWKSet set = JWKSet.load(file.toFile());
            for (JWK key : set.getKeys()) {
                if (key.isPrivate()) {
                    Log.warnf("policy signature key set %s holds a private key (%s); only public keys belong there",
                            file, key.getKeyID());
                }
            }
            Log.infof("policy signature keys: %d from %s", set.size(), file.toAbsolutePath());
            return set;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read pipeline.signature.jwks " + file, e);
        } catch (ParseException e) {
            throw new IllegalStateException("pipeline.signature.jwks " + file + " is not a JWK set: " + e.getMessage(), e);
        }
    }
}
