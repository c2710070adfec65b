-- The dead-letter channel and the notification outbox move from files into the ledger's database
-- (docs/ledger.md), so any instance sharing it can see and work them.

-- Deployments a target finally did not take; their packages are the revision's (policy_package).
CREATE TABLE dead_letter (
    dead_letter_id  VARCHAR(36)              NOT NULL PRIMARY KEY,
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    policy_id       VARCHAR(128)             NOT NULL,
    version         VARCHAR(256),
    revision        INTEGER                  NOT NULL,
    policy_sha256   VARCHAR(64)              NOT NULL,
    idempotency_key VARCHAR(64)              NOT NULL,
    source          VARCHAR(16)              NOT NULL,
    actor           VARCHAR(256)             NOT NULL,
    delivered       VARCHAR                  NOT NULL,
    missing         VARCHAR                  NOT NULL,
    retries         INTEGER                  NOT NULL
);

-- Notifications not yet taken by their subscriber (pending), or given up on (abandoned). An attempt
-- claims its row until claimed_until (a conditional UPDATE), so no scan hands out a row that an
-- attempt holds or has just taken, and a row held by a process that died is free again after it.
CREATE TABLE notification_outbox (
    entry_id        VARCHAR(36)              NOT NULL PRIMARY KEY,
    subscriber      VARCHAR(128)             NOT NULL,
    webhook_id      VARCHAR(64)              NOT NULL,
    deployment_id   VARCHAR(36)              NOT NULL,
    policy_id       VARCHAR(128),
    version         VARCHAR(256),
    source          VARCHAR(16)              NOT NULL,
    actor           VARCHAR(256)             NOT NULL,
    event           VARCHAR                  NOT NULL,
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    attempts        INTEGER                  NOT NULL,
    next_attempt_at TIMESTAMP WITH TIME ZONE,
    last_error      VARCHAR(2048),
    status          VARCHAR(16)              NOT NULL,
    claimed_until   TIMESTAMP WITH TIME ZONE
);
CREATE INDEX notification_outbox_due ON notification_outbox (status, next_attempt_at);
