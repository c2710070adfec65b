package gov.hms.pipeline.audit;

import gov.hms.pipeline.config.PipelineConfig;
import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import java.time.Duration;
import java.util.Locale;

/**
 * The audit log's {@code pipeline.audit.*} settings, parsed once at start-up.
 *
 * @param rotateDaily        begin a new file at the first record of each UTC day
 * @param rotateBytes        begin a new file before one would grow past this many bytes; 0 = never
 * @param fsyncInterval      {@code null} = force every record to disk ({@code always}); else force at this interval
 *                           (the record that ends a deployment is forced at once either way)
 * @param checkpointRecords  sign a checkpoint after this many new records; 0 = not by count
 * @param checkpointInterval sign a checkpoint this often when there are new records; {@code null} = not by time
 */
record AuditSettings(boolean rotateDaily, long rotateBytes, Duration fsyncInterval, long checkpointRecords,
        Duration checkpointInterval) {

    /** Defaults as documented: no rotation, {@code fsync=always}, a checkpoint every 100 records or minute. */
    static final AuditSettings DEFAULTS = new AuditSettings(false, 0, null, 100, Duration.ofMinutes(1));

    /**
     * @throws IllegalArgumentException naming the key whose value cannot be understood
     */
    static AuditSettings from(PipelineConfig.Audit audit) {
        boolean daily = false;
        long bytes = 0;
        for (String entry : audit.rotate()) {
            String value = entry.trim().toLowerCase(Locale.ROOT);
            if (value.isEmpty() || value.equals("none")) {
                continue;
            }
            if (value.equals("daily")) {
                daily = true;
            } else {
                bytes = positive("pipeline.audit.rotate", entry,
                        () -> new MemorySizeConverter().convert(value.toUpperCase(Locale.ROOT)).asLongValue());
            }
        }
        Duration fsync = null;
        if (!audit.fsync().trim().equalsIgnoreCase("always")) {
            fsync = duration("pipeline.audit.fsync", audit.fsync());
        }
        long records = 0;
        Duration interval = null;
        for (String entry : audit.checkpointEvery()) {
            String value = entry.trim();
            if (value.isEmpty()) {
                continue;
            }
            if (value.chars().allMatch(Character::isDigit)) {
                records = positive("pipeline.audit.checkpoint-every", value, () -> Long.parseLong(value));
            } else {
                interval = duration("pipeline.audit.checkpoint-every", value);
            }
        }
        return new AuditSettings(daily, bytes, fsync, records, interval);
    }

    private static Duration duration(String key, String value) {
        Duration duration;
        try {
            duration = DurationConverter.parseDuration(value.trim());
        } catch (RuntimeException e) {
            throw invalid(key, value, "not a duration such as 500ms, 1s or 5m");
        }
        if (duration == null || duration.isZero() || duration.isNegative()) {
            throw invalid(key, value, "the interval must be positive");
        }
        return duration;
    }

    private static long positive(String key, String value, java.util.function.LongSupplier parse) {
        long parsed;
        try {
            parsed = parse.getAsLong();
        } catch (RuntimeException e) {
            throw invalid(key, value, "not understood");
        }
        if (parsed <= 0) {
            throw invalid(key, value, "must be positive");
        }
        return parsed;
    }

    private static IllegalArgumentException invalid(String key, String value, String why) {
        return new IllegalArgumentException(key + "=" + value + ": " + why);
    }
}
