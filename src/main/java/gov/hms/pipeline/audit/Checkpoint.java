package gov.hms.pipeline.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import gov.hms.pipeline.packaging.CanonicalJson;

/**
 * One signed checkpoint: a line of the checkpoint file saying "the log's first {@code records}
 * records end with the record whose hash is {@code headHash}". The signature is Ed25519 over the
 * RFC 8785 canonical JSON of the line without {@code signature}; so a log cut shorter than a
 * checkpoint, or a checkpoint edited, no longer verifies.
 *
 * @param time      RFC 3339 UTC with milliseconds, when it was signed
 * @param records   records in the chain from the very first, across all files
 * @param headHash  {@code hash} of record number {@code records} (1-based)
 * @param instance  the service instance that signed it
 * @param keyId     SHA-256 hex of the signing public key's DER encoding
 * @param signature base64 Ed25519 signature
 */
record Checkpoint(String time, long records, String headHash, String instance, String keyId, String signature) {

    /** @return the line as written, without its {@code \n} */
    ObjectNode toJson(ObjectMapper mapper) {
        ObjectNode node = unsigned(mapper);
        node.put("signature", signature);
        return node;
    }

    /** The bytes that are signed. */
    byte[] payload(ObjectMapper mapper) {
        return CanonicalJson.canonicalize(unsigned(mapper));
    }

    Checkpoint signedWith(CheckpointSigner signer, ObjectMapper mapper) {
        Checkpoint unsigned = new Checkpoint(time, records, headHash, instance, signer.keyId(), null);
        return new Checkpoint(time, records, headHash, instance, signer.keyId(), signer.sign(unsigned.payload(mapper)));
    }

    private ObjectNode unsigned(ObjectMapper mapper) {
        ObjectNode node = mapper.createObjectNode();
        node.put("time", time);
        node.put("records", records);
        node.put("headHash", headHash);
        node.put("instance", instance);
        node.put("algorithm", CheckpointSigner.ALGORITHM);
        node.put("keyId", keyId);
        return node;
    }

    /**
     * @throws IllegalArgumentException if the line is not a checkpoint
     */
    static Checkpoint parse(JsonNode node) {
        if (node == null || !node.isObject() || !node.path("records").canConvertToLong()
                || !node.path("headHash").isTextual() || !node.path("signature").isTextual()
                || !CheckpointSigner.ALGORITHM.equals(node.path("algorithm").asText())) {
            throw new IllegalArgumentException("not a checkpoint (records, headHash, algorithm Ed25519 and signature)");
        }
        return new Checkpoint(node.path("time").asText(), node.path("records").asLong(), node.path("headHash").asText(),
                node.path("instance").asText(), node.path("keyId").asText(), node.path("signature").asText());
    }
}
