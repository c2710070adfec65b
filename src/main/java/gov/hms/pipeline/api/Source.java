package gov.hms.pipeline.api;

import com.fasterxml.jackson.annotation.JsonValue;

/** Where a policy entered the service; written as the audit record's {@code source}. */
public enum Source {
    HTTP("http"),
    FILE("file"),
    QUEUE("queue"),
    API("api"),
    /** An operator made an archived version live again ({@code POST /api/policies/{id}/rollback}). */
    ROLLBACK("rollback"),
    /** An operator re-delivered the live version to targets not in sync ({@code POST /api/policies/{id}/sync}). */
    SYNC("sync"),
    /** An operator withdrew the policy from every target ({@code DELETE /api/policies/{id}}, docs/scheduling.md). */
    WITHDRAWAL("withdrawal");

    private final String label;

    Source(String label) {
        this.label = label;
    }

    @JsonValue
    public String label() {
        return label;
    }
}
