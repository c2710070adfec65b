-- Targets managed at run time through /api/targets (docs/targets.md), next to those of the
-- configuration: in the ledger's database, so every instance sharing it delivers to the same ones.
-- No credentials here: a target that needs them is configured (pipeline.targets.<name>.*).
CREATE TABLE delivery_target (
    name                VARCHAR(128)             NOT NULL PRIMARY KEY,
    url                 VARCHAR(2048)            NOT NULL,
    format              VARCHAR(8)               NOT NULL,
    target_groups       VARCHAR(1024)            NOT NULL,
    enabled             BOOLEAN                  NOT NULL,
    connect_timeout_ms  INTEGER                  NOT NULL,
    response_timeout_ms INTEGER                  NOT NULL,
    created_at          TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at          TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_by          VARCHAR(256)             NOT NULL
);
