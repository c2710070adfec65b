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
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

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
     * @param instance     equal to the record's {@code instance} (with a shared folder: that instance's chain)
     */
    public record Filter(String policyId, String deploymentId, String step, Instant from, Instant to, String instance) {

        /** Any instance. */
        public Filter(String policyId, String deploymentId, String step, Instant from, Instant to) {
            this(policyId, deploymentId, step, from, to, null);
        }

        /**
         * @param deploymentsOfPolicy deployments in which {@code policyId} was validated: their
         *                            records before validation ({@code received}) belong to the policy's history too
         */
        boolean matches(JsonNode record, Set<String> deploymentsOfPolicy) {
            if (policyId != null && !equal(policyId, record, "policyId")
                    && !deploymentsOfPolicy.contains(record.path("deploymentId").asText())) {
                return false;
            }
            if (!equal(deploymentId, record, "deploymentId") || !equal(step, record, "step")
                    || !equal(instance, record, "instance")) {
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

    /** Where a record starts, or a read resumes: a file of the chain by its {@code seq}, and a byte in it. */
    private record Position(long seq, long offset) {

        static final Position START = new Position(0, 0);
    }

    /** A matching record and where it starts. */
    private record Found(JsonNode record, Position at) {

        /** The order across chains: by {@code time} (an unreadable one first). */
        Instant time() {
            try {
                return Instant.parse(record.path("time").asText());
            } catch (DateTimeParseException e) {
                return Instant.MIN;
            }
        }
    }

    /**
     * The matching records of one chain from a position, at most {@code most}.
     *
     * @param records in chain order
     * @param end     where the read stopped: after the last record read, or the end of the chain as opened
     */
    private record Run(List<Found> records, Position end) {
    }

    private AuditQuery() {
    }

    static Page run(AuditView view, Filter filter, int limit, String cursor, ObjectMapper mapper) throws IOException {
        Position start = cursor == null || cursor.isBlank() ? Position.START : decode(cursor, view);
        Run run = read(view, filter, start, limit + 1, mapper);
        List<JsonNode> page = run.records().stream().limit(limit).map(Found::record).toList();
        return new Page(page, run.records().size() > limit ? encode(run.records().get(limit).at()) : null);
    }

    /**
     * Records of every chain ({@link AuditChains}) in one order: a merge of the chains, each in its own
     * order, taking at each step the earliest {@code time} (then the lower instance id) among the chains'
     * next records. The cursor holds each chain's position, so paging neither skips nor repeats a record
     * while the chains grow and rotate; a record written after a page with an earlier {@code time} than
     * that page's last comes in a later page.
     *
     * @throws IllegalArgumentException if the cursor was not made here
     */
    static Page runAcross(AuditChains chains, Filter filter, int limit, String cursor, ObjectMapper mapper)
            throws IOException {
        Map<String, Position> start = cursor == null || cursor.isBlank() ? Map.of() : decodeAcross(cursor, chains);
        Map<String, Run> runs = new TreeMap<>();
        for (var chain : chains.views().entrySet()) {
            if (filter.instance() == null || filter.instance().equals(chain.getKey())) {
                runs.put(chain.getKey(), read(chain.getValue(), filter,
                        start.getOrDefault(chain.getKey(), Position.START), limit + 1, mapper));
            }
        }
        Map<String, Integer> taken = new TreeMap<>();
        runs.keySet().forEach(instance -> taken.put(instance, 0));
        List<JsonNode> page = new ArrayList<>();
        while (page.size() < limit) {
            String earliest = null;
            for (var run : runs.entrySet()) {
                int next = taken.get(run.getKey());
                if (next < run.getValue().records().size() && (earliest == null || run.getValue().records().get(next).time()
                        .isBefore(runs.get(earliest).records().get(taken.get(earliest)).time()))) {
                    earliest = run.getKey();
                }
            }
            if (earliest == null) {
                break;
            }
            page.add(runs.get(earliest).records().get(taken.get(earliest)).record());
            taken.merge(earliest, 1, Integer::sum);
        }
        boolean more = runs.entrySet().stream().anyMatch(run -> taken.get(run.getKey()) < run.getValue().records().size());
        if (!more) {
            return new Page(page, null);
        }
        Map<String, Position> next = new TreeMap<>(start);
        runs.forEach((instance, run) -> {
            int at = taken.get(instance);
            next.put(instance, at < run.records().size() ? run.records().get(at).at() : run.end());
        });
        return new Page(page, encodeAcross(next));
    }

    /** Reads {@code view} from {@code start}: its records that match, at most {@code most}. */
    private static Run read(AuditView view, Filter filter, Position start, int most, ObjectMapper mapper)
            throws IOException {
        Set<String> deploymentsOfPolicy = filter.policyId() == null ? Set.of()
                : deploymentsOf(view, filter.policyId(), mapper);
        List<Found> found = new ArrayList<>();
        Position end = start;
        for (AuditView.Segment segment : view.segments()) {
            if (segment.seq() < start.seq() || found.size() == most) {
                continue;
            }
            long from = segment.seq() == start.seq() ? start.offset() : 0;
            end = new Position(segment.seq(), segment.size());
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
                found.add(new Found(record, new Position(segment.seq(), offset)));
                return found.size() < most;
            });
        }
        return new Run(found, end);
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

    private static final String CURSOR_ACROSS_VERSION = "2";

    /** {@code 2:<instance>=<seq>.<offset>,…}, base64url: one position per chain read from (instance ids have no {@code =,.:}). */
    private static String encodeAcross(Map<String, Position> positions) {
        StringBuilder text = new StringBuilder(CURSOR_ACROSS_VERSION).append(':');
        positions.forEach((instance, position) -> text.append(instance).append('=').append(position.seq()).append('.')
                .append(position.offset()).append(','));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.toString().getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * @throws IllegalArgumentException if the cursor was not made by {@link #encodeAcross}, or names a file no
     *                                  longer in its chain
     */
    private static Map<String, Position> decodeAcross(String cursor, AuditChains chains) throws IOException {
        Map<String, Position> positions = new TreeMap<>();
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII);
            if (!text.startsWith(CURSOR_ACROSS_VERSION + ":")) {
                throw new IllegalArgumentException("invalid cursor");
            }
            for (String entry : text.substring(2).split(",")) {
                if (entry.isEmpty()) {
                    continue;
                }
                String[] parts = entry.split("[=.]");
                if (parts.length != 3) {
                    throw new IllegalArgumentException("invalid cursor");
                }
                positions.put(parts[0], new Position(Long.parseLong(parts[1]), Long.parseLong(parts[2])));
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid cursor", e);
        }
        for (var position : positions.entrySet()) {
            AuditView view = chains.views().get(position.getKey());
            if (view == null) {
                throw new IllegalArgumentException("invalid cursor: the audit chain of instance " + position.getKey()
                        + " is no longer in the shared folder");
            }
            check(position.getValue(), view);
        }
        return positions;
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
        return check(position, view);
    }

    /** @throws IllegalArgumentException unless {@code position} starts a line of a file of {@code view} */
    private static Position check(Position position, AuditView view) throws IOException {
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
