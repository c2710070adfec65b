-- Deployments the ledger knows before (or instead of) their admission (docs/scheduling.md): an
-- asynchronous request answered 202 before it is validated (status received, then answered with
-- the result a synchronous caller would have got), and a scheduled activation (validated, packaged
-- and its revision stored at once; status scheduled until it is due, then activating while one
-- instance holds the claim, then activated; or cancelled, or superseded by a newer revision).
-- A scheduled withdrawal (kind withdrawal) is due at a live revision's expiresAt.
-- The deployment's own row (table deployment) appears at admission, as for every deployment.
-- One schema for H2 and PostgreSQL, as V1.
CREATE TABLE deployment_request (
    deployment_id  VARCHAR(36)              NOT NULL PRIMARY KEY,
    policy_id      VARCHAR(128),
    revision       INTEGER,
    version        VARCHAR(256),
    status         VARCHAR(16)              NOT NULL,
    kind           VARCHAR(16)              DEFAULT 'activation' NOT NULL,
    source         VARCHAR(16)              NOT NULL,
    actor          VARCHAR(256)             NOT NULL,
    origin         VARCHAR(1024),
    activate_at    TIMESTAMP WITH TIME ZONE,
    activated_at   TIMESTAMP WITH TIME ZONE,
    late_millis    BIGINT,
    idempotency_key VARCHAR(64),
    claimed_by     VARCHAR(128),
    claimed_until  TIMESTAMP WITH TIME ZONE,
    note           VARCHAR(1024),
    result         VARCHAR,
    created_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at     TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX deployment_request_due ON deployment_request (status, activate_at);
CREATE INDEX deployment_request_by_policy ON deployment_request (policy_id, status);
