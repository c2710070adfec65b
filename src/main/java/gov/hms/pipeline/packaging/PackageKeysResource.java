package gov.hms.pipeline.packaging;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Response;

/**
 * {@code GET /api/keys}: the public keys that package signatures verify with, as a JWK Set
 * (RFC 7517 section 5, media type {@code application/jwk-set+json}). Each key carries the
 * {@code kid} named in the JWS header of a signature. {@code {"keys":[]}} when signing is off.
 * Private key parts are never included.
 */
@Path("/api/keys")
public class PackageKeysResource {

    static final String JWK_SET_JSON = "application/jwk-set+json";

    private final PackageSigner signer;

    public PackageKeysResource(PackageSigner signer) {
        this.signer = signer;
    }

    @GET
    @Produces({JWK_SET_JSON, "application/json"})
    public Response keys() {
        return Response.ok(signer.publicJwks(), JWK_SET_JSON).build();
    }
}
