package gov.hms.pipeline.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Walks a {@link AuditView}: every record must be one whole JSON object whose {@code prevHash} is
 * the previous record's {@code hash} (64 zeros for the first) and whose {@code hash} is that of
 * its own content; every checkpoint must carry a valid signature of this log's key, and the record
 * it counts to must have the hash it signed. The first failure is reported with its place.
 * {@code tools/AuditVerify.java} checks the same rules with nothing but the JDK.
 */
final class AuditVerifier {

    private AuditVerifier() {
    }

    static AuditVerification verify(AuditView view, ObjectMapper mapper) throws IOException {
        return new Walk(view, mapper).run();
    }

    /** One verification's state. */
    private static final class Walk {
        private final AuditView view;
        private final ObjectMapper mapper;
        private final List<Checkpoint> checkpoints = new ArrayList<>();
        private int nextCheckpoint;
        private long records;
        private long linesInLast;
        private String head = AuditLog.GENESIS_HASH;
        private AuditVerification.Broken broken;

        Walk(AuditView view, ObjectMapper mapper) {
            this.view = view;
            this.mapper = mapper;
        }

        AuditVerification run() throws IOException {
            readCheckpoints();
            for (AuditView.Segment segment : view.segments()) {
                if (broken != null) {
                    break;
                }
                linesInLast = 0;
                long[] line = {0};
                segment.forEachLine(0, (offset, bytes, terminated) -> {
                    line[0]++;
                    linesInLast = line[0];
                    String why = checkRecord(bytes, terminated);
                    if (why != null) {
                        broken = new AuditVerification.Broken(segment.name(), line[0], records + 1, why);
                        return false;
                    }
                    records++;
                    why = checkCheckpointsAt(records);
                    if (why != null) {
                        broken = new AuditVerification.Broken(segment.name(), line[0], records, why);
                        records--;
                        return false;
                    }
                    return true;
                });
            }
            if (broken == null && nextCheckpoint < checkpoints.size()) {
                Checkpoint cut = checkpoints.get(checkpoints.size() - 1);
                AuditView.Segment last = view.segments().get(view.segments().size() - 1);
                broken = new AuditVerification.Broken(last.name(), linesInLast + 1, records + 1, "the log ends at record "
                        + records + " but the checkpoint signed at " + cut.time() + " counts " + cut.records()
                        + " records: at least " + (cut.records() - records) + " record(s) were cut off the end");
            }
            return new AuditVerification(broken == null, records, view.segments().size(), nextCheckpoint, head, broken);
        }

        /** @return why the record does not hold, or {@code null}; on success it becomes the head */
        private String checkRecord(byte[] bytes, boolean terminated) {
            if (!terminated) {
                return "the last line has no line end: a torn record";
            }
            JsonNode node;
            try {
                node = mapper.readTree(bytes);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                return "not a JSON object: " + e.getOriginalMessage();
            } catch (IOException e) {
                return "not a JSON object";
            }
            if (node == null || !node.isObject()) {
                return "not a JSON object";
            }
            if (!node.path("prevHash").isTextual() || !node.path("hash").isTextual()) {
                return "no prevHash or hash";
            }
            String prevHash = node.get("prevHash").asText();
            if (!prevHash.equals(head)) {
                return "prevHash " + prevHash + " is not the hash of the record before (" + head
                        + "): a record before it was deleted, inserted or moved"
                        + (records == 0 ? "" : ", or a file is missing");
            }
            ObjectNode withoutHash = ((ObjectNode) node).deepCopy();
            String hash = withoutHash.remove("hash").asText();
            String recomputed = AuditLog.chainHash(prevHash, withoutHash);
            if (!recomputed.equals(hash)) {
                return "hash " + hash + " does not match the record's content (" + recomputed + "): the record was changed";
            }
            head = hash;
            return null;
        }

        private String checkCheckpointsAt(long count) {
            while (nextCheckpoint < checkpoints.size() && checkpoints.get(nextCheckpoint).records() == count) {
                Checkpoint checkpoint = checkpoints.get(nextCheckpoint);
                if (!checkpoint.headHash().equals(head)) {
                    return "the checkpoint signed at " + checkpoint.time() + " says record " + count + " has hash "
                            + checkpoint.headHash() + ", but it has " + head + ": the log was changed after it was signed";
                }
                nextCheckpoint++;
            }
            return null;
        }

        private void readCheckpoints() throws IOException {
            AuditView.Segment file = view.checkpoints();
            long[] line = {0};
            file.forEachLine(0, (offset, bytes, terminated) -> {
                line[0]++;
                String why = checkCheckpoint(bytes, terminated);
                if (why != null) {
                    broken = new AuditVerification.Broken(file.name(), line[0], null, why);
                    return false;
                }
                return true;
            });
        }

        private String checkCheckpoint(byte[] bytes, boolean terminated) {
            if (!terminated) {
                return "the last checkpoint has no line end: torn";
            }
            Checkpoint checkpoint;
            try {
                checkpoint = Checkpoint.parse(mapper.readTree(bytes));
            } catch (IOException | IllegalArgumentException e) {
                return "not a checkpoint: " + e.getMessage();
            }
            if (view.key() == null) {
                return "no public key to verify it with: the chain's checkpoint-key.<instance>.pub.pem is missing or not "
                        + "an Ed25519 public key";
            }
            if (!checkpoint.keyId().equals(view.key().keyId())) {
                return "signed by another key (keyId " + checkpoint.keyId() + ", this log's is " + view.key().keyId() + ")";
            }
            if (!view.key().verify(checkpoint.payload(mapper), checkpoint.signature())) {
                return "the signature does not verify: the checkpoint was changed or forged";
            }
            long previous = checkpoints.isEmpty() ? 0 : checkpoints.get(checkpoints.size() - 1).records();
            if (checkpoint.records() < Math.max(1, previous)) {
                return "counts " + checkpoint.records() + " records, fewer than the checkpoint before it (" + previous + ")";
            }
            checkpoints.add(checkpoint);
            return null;
        }
    }
}
