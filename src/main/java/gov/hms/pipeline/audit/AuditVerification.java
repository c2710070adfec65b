package gov.hms.pipeline.audit;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * What a walk of the chains and their checkpoints found: the answer of {@code GET /api/audit/verify}.
 * The answer covers every chain (one per instance, docs/scale-out.md): its top-level fields sum them up
 * and {@code chains} has one entry per chain, which is itself an {@code AuditVerification} with
 * {@code instance} and without {@code chains}.
 *
 * @param ok          every record's hash and link and every checkpoint hold (in every chain)
 * @param records     records that verified (all of them when {@code ok}), in every chain together
 * @param files       log files walked, rotated ones and the active ones
 * @param checkpoints checkpoints whose signature verified
 * @param headHash    hash of the last record that verified ({@code prevHash} of the next one) in this
 *                    instance's own chain
 * @param broken      the first problem, when not {@code ok}: of the first broken chain in {@code chains}' order
 * @param instance    the chain's instance, in an entry of {@code chains}; absent at the top
 * @param chains      one entry per chain, by instance id; absent in an entry
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"instance", "ok"})
public record AuditVerification(boolean ok, long records, int files, int checkpoints, String headHash, Broken broken,
        String instance, List<AuditVerification> chains) {

    /** One chain's walk, before it is named. */
    public AuditVerification(boolean ok, long records, int files, int checkpoints, String headHash, Broken broken) {
        this(ok, records, files, checkpoints, headHash, broken, null, null);
    }

    /** This walk as the chain of {@code instance}: the entry names it, and so does its {@code broken}. */
    AuditVerification ofChain(String instance) {
        return new AuditVerification(ok, records, files, checkpoints, headHash,
                broken == null ? null : broken.in(instance), instance, null);
    }

    /**
     * @param chains every chain's entry ({@link #ofChain}), in the order to report them
     * @param own    the instance whose chain's head is the top-level {@code headHash}
     */
    static AuditVerification across(List<AuditVerification> chains, String own) {
        boolean ok = chains.stream().allMatch(AuditVerification::ok);
        long records = chains.stream().mapToLong(AuditVerification::records).sum();
        int files = chains.stream().mapToInt(AuditVerification::files).sum();
        int checkpoints = chains.stream().mapToInt(AuditVerification::checkpoints).sum();
        String head = chains.stream().filter(chain -> own.equals(chain.instance())).map(AuditVerification::headHash)
                .findFirst().orElse(null);
        Broken broken = chains.stream().map(AuditVerification::broken).filter(b -> b != null).findFirst().orElse(null);
        return new AuditVerification(ok, records, files, checkpoints, head, broken, null, List.copyOf(chains));
    }

    /**
     * The first record (or checkpoint) that does not hold, and why.
     *
     * @param instance the chain it is in
     * @param file     file name
     * @param line     1-based line in that file
     * @param record   1-based record number in the whole chain, for log files
     * @param reason   for a person
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Broken(String instance, String file, long line, Long record, String reason) {

        /** Before it is known which chain it is in. */
        public Broken(String file, long line, Long record, String reason) {
            this(null, file, line, record, reason);
        }

        Broken in(String chain) {
            return new Broken(chain, file, line, record, reason);
        }
    }
}
