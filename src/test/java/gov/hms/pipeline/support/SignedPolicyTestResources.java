package gov.hms.pipeline.support;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * As {@link PipelineTestResources}, with policy signatures required and a JWKS holding two fresh
 * public keys (Ed25519 {@code approver-ed}, P-256 {@code approver-ec}); a third key,
 * {@code stranger}, is deliberately left out of the set.
 */
public class SignedPolicyTestResources extends PipelineTestResources {

    private static OctetKeyPair edKey;
    private static ECKey ecKey;
    private static OctetKeyPair strangerKey;

    @Override
    protected Map<String, String> extraConfig(Path dataDir) {
        try {
            edKey = new OctetKeyPairGenerator(Curve.Ed25519).keyID("approver-ed").generate();
            ecKey = new ECKeyGenerator(Curve.P_256).keyID("approver-ec").generate();
            strangerKey = new OctetKeyPairGenerator(Curve.Ed25519).keyID("stranger").generate();
            Path jwks = dataDir.resolve("policy-signers.jwks.json");
            Files.writeString(jwks, new JWKSet(List.of(edKey.toPublicJWK(), ecKey.toPublicJWK())).toString());
            return Map.of("pipeline.signature.jwks", jwks.toString(), "pipeline.signature.required", "true");
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static OctetKeyPair edKey() {
        return edKey;
    }

    public static ECKey ecKey() {
        return ecKey;
    }

    public static OctetKeyPair strangerKey() {
        return strangerKey;
    }
}
