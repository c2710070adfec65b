package gov.hms.pipeline.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Finds records in log order ({@code GET /api/audit}), a page at a time. A policy's history is
 * every record of every deployment in which the policy id was validated, from its {@code received}
 * record (written before the id is known to be valid, so without it) to its last. A cursor names the byte
 * where the next page begins in a file of the chain (by the file's {@code seq}, which a rotation
 * does not change), so paging neither skips nor repeats records while the log grows or rotates.
 */
public final class AuditQuery {

    /** Most records one page may hold. */
    public static final int MAX_LIMIT = 1000;

    private static final String CURSOR_VERSION = "1";

    /**
     * Conditions a record must meet, all of them; {@code null} means any.
     *
     * @param policyId     the record's {@code policyId}, or the record belongs to a deployment of that policy
     * @param deploymentId equal to the record's {@code deploymentId}
     * @param step         equal to the record's {@code step}
     * @param from         the record's {@code time} is this instant or later
     * @param to           the record's {@code time} is before this instant
     */
    public record Filter(String policyId, String deploymentId, String step, Instant from, Instant to) {

        /**
         * @param deploymentsOfPolicy deployments in which {@code policyId} was validated: their
         *                            records before validation ({@code received}) belong to the policy's history too
         */
        boolean matches(JsonNode record, Set<String> deploymentsOfPolicy) {
            if (policyId != null && !equal(policyId, record, "policyId")
                    && !deploymentsOfPolicy.contains(record.path("deploymentId").asText())) {
                return false;
            }
            if (!equal(deploymentId, record, "deploymentId") || !equal(step, record, "step")) {
                return false;
            }
            if (from == null && to == null) {
                return true;
            }
            Instant time;
            try {
                time = Instant.parse(record.path("time").asText());
            } catch (DateTimeParseException e) {
                return false;
            }
            return (from == null || !time.isBefore(from)) && (to == null || time.isBefore(to));
        }

        /** Cheap test on the raw line before parsing it: a deployment id that is not in the text cannot match. */
        boolean mayMatch(String line) {
            return deploymentId == null || line.contains(deploymentId);
        }

        private static boolean equal(String wanted, JsonNode record, String field) {
            return wanted == null || record.path(field).isTextual() && wanted.equals(record.get(field).asText());
        }
    }

    /**
     * One page.
     *
     * @param records    the matching records as written, in log order
     * @param nextCursor where the next page starts, or {@code null} when no more records match now
     */
    public record Page(List<JsonNode> records, String nextCursor) {
    }

    private record Position(long seq, long offset) {
    }

    private AuditQuery() {
    }

    static Page run(AuditView view, Filter filter, int limit, String cursor, ObjectMapper mapper) throws IOException {
        Position start = cursor == null || cursor.isBlank() ? new Position(0, 0) : decode(cursor, view);
        Set<String> deploymentsOfPolicy = filter.policyId() == null ? Set.of()
                : deploymentsOf(view, filter.policyId(), mapper);
        List<JsonNode> found = new ArrayList<>();
        String[] next = {null};
        for (AuditView.Segment segment : view.segments()) {
            if (segment.seq() < start.seq() || next[0] != null) {
                continue;
            }
            long from = segment.seq() == start.seq() ? start.offset() : 0;
            segment.forEachLine(from, (offset, bytes, terminated) -> {
                String text = new String(bytes, StandardCharsets.UTF_8);
                if (!terminated || !filter.mayMatch(text)) {
                    return true;
                }
                JsonNode record;
                try {
                    record = mapper.readTree(text);
                } catch (IOException e) {
                    return true; // verification reports it; a query shows only records
                }
                if (record == null || !record.isObject() || !filter.matches(record, deploymentsOfPolicy)) {
                    return true;
                }
                if (found.size() == limit) {
                    next[0] = encode(new Position(segment.seq(), offset));
                    return false;
                }
                found.add(record);
                return true;
            });
        }
        return new Page(found, next[0]);
    }

    /** A first pass over the whole log: the deployments whose records name the policy. */
    private static Set<String> deploymentsOf(AuditView view, String policyId, ObjectMapper mapper) throws IOException {
        Set<String> deployments = new HashSet<>();
        for (AuditView.Segment segment : view.segments()) {
            segment.forEachLine(0, (offset, bytes, terminated) -> {
                String text = new String(bytes, StandardCharsets.UTF_8);
                if (terminated && text.contains(policyId)) {
                    try {
                        JsonNode record = mapper.readTree(text);
                        if (record != null && policyId.equals(record.path("policyId").asText(null))
                                && record.path("deploymentId").isTextual()) {
                            deployments.add(record.get("deploymentId").asText());
                        }
                    } catch (IOException e) {
                        // not a record: verification reports it
                    }
                }
                return true;
            });
        }
        return deployments;
    }

    private static String encode(Position position) {
        String text = CURSOR_VERSION + ":" + position.seq() + ":" + position.offset();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * @throws IllegalArgumentException if the cursor was not made by {@link #encode} for this log
     */
    private static Position decode(String cursor, AuditView view) throws IOException {
        String[] parts;
        Position position;
        try {
            parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII).split(":");
            if (parts.length != 3 || !CURSOR_VERSION.equals(parts[0])) {
                throw new IllegalArgumentException("invalid cursor");
            }
            position = new Position(Long.parseLong(parts[1]), Long.parseLong(parts[2]));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid cursor", e);
        }
        for (AuditView.Segment segment : view.segments()) {
            if (segment.seq() == position.seq()) {
                if (position.offset() < 0 || position.offset() > segment.size()
                        || !AuditLines.startsALine(segment.channel(), position.offset())) {
                    throw new IllegalArgumentException("invalid cursor");
                }
                return position;
            }
        }
        throw new IllegalArgumentException("invalid cursor: its file is no longer part of the log");
    }
}
