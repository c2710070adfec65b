package gov.hms.pipeline.api;

import com.fasterxml.jackson.annotation.JsonValue;

/** Where a policy entered the service; written as the audit record's {@code source}. */
public enum Source {
    HTTP("http"),
    FILE("file"),
    QUEUE("queue"),
    API("api");

    private final String label;

    Source(String label) {
        this.label = label;
    }

    @JsonValue
    public String label() {
        return label;
    }
}
