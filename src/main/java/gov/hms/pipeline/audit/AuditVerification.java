package gov.hms.pipeline.audit;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What a walk of the chain and the checkpoints found: the answer of {@code GET /api/audit/verify}.
 *
 * @param ok          every record's hash and link and every checkpoint hold
 * @param records     records that verified (all of them when {@code ok})
 * @param files       log files walked, rotated ones and the active one
 * @param checkpoints checkpoints whose signature verified
 * @param headHash    hash of the last record that verified ({@code prevHash} of the next one)
 * @param broken      the first problem, when not {@code ok}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AuditVerification(boolean ok, long records, int files, int checkpoints, String headHash, Broken broken) {

    /**
     * The first record (or checkpoint) that does not hold, and why.
     *
     * @param file   file name
     * @param line   1-based line in that file
     * @param record 1-based record number in the whole chain, for log files
     * @param reason for a person
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Broken(String file, long line, Long record, String reason) {
    }
}
