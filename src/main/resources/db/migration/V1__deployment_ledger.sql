-- The deployment ledger (docs/ledger.md): what is live where, every version's package, every
-- deployment and its per-target deliveries. One schema for H2 (embedded) and PostgreSQL: only
-- types both understand (VARCHAR, INTEGER, BYTEA, TIMESTAMP WITH TIME ZONE).

-- One row per policy id: the revision it should be live at (its desired state) and the
-- Idempotency-Key of the intent that made it so (re-submissions of that content continue it).
CREATE TABLE policy (
    policy_id        VARCHAR(128)             NOT NULL PRIMARY KEY,
    current_revision INTEGER                  NOT NULL,
    current_key      VARCHAR(64)              NOT NULL,
    updated_at       TIMESTAMP WITH TIME ZONE NOT NULL
);

-- Every distinct content of a policy, numbered 1, 2, 3, ... per policy id.
CREATE TABLE policy_version (
    policy_id     VARCHAR(128)             NOT NULL,
    revision      INTEGER                  NOT NULL,
    version       VARCHAR(256),
    policy_sha256 VARCHAR(64)              NOT NULL,
    policy_json   VARCHAR                  NOT NULL,
    deployment_id VARCHAR(36)              NOT NULL,
    deployed_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    actor         VARCHAR(256)             NOT NULL,
    source        VARCHAR(16)              NOT NULL,
    PRIMARY KEY (policy_id, revision),
    CONSTRAINT policy_version_content UNIQUE (policy_id, policy_sha256)
);

-- The packages of each version exactly as first built (bytes the targets received).
CREATE TABLE policy_package (
    policy_id    VARCHAR(128) NOT NULL,
    revision     INTEGER      NOT NULL,
    format       VARCHAR(8)   NOT NULL,
    content_type VARCHAR(64)  NOT NULL,
    sha256       VARCHAR(64)  NOT NULL,
    bytes        BYTEA        NOT NULL,
    PRIMARY KEY (policy_id, revision, format)
);

-- Every deployment that reached the ledger (validated, with a safe policy id).
CREATE TABLE deployment (
    deployment_id   VARCHAR(36)              NOT NULL PRIMARY KEY,
    policy_id       VARCHAR(128)             NOT NULL,
    revision        INTEGER,
    version         VARCHAR(256),
    status          VARCHAR(16)              NOT NULL,
    source          VARCHAR(16)              NOT NULL,
    actor           VARCHAR(256)             NOT NULL,
    origin          VARCHAR(1024),
    reason          VARCHAR(1024),
    idempotency_key VARCHAR(64),
    policy_sha256   VARCHAR(64),
    package_sha256  VARCHAR(64),
    error           VARCHAR(2048),
    notifications   VARCHAR,
    started_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    ended_at        TIMESTAMP WITH TIME ZONE
);
CREATE INDEX deployment_by_start ON deployment (started_at, deployment_id);
CREATE INDEX deployment_by_policy ON deployment (policy_id, started_at);

-- What each target made of each deployment.
CREATE TABLE delivery (
    deployment_id  VARCHAR(36)              NOT NULL,
    target         VARCHAR(128)             NOT NULL,
    status         VARCHAR(16)              NOT NULL,
    http_status    INTEGER,
    attempts       INTEGER                  NOT NULL,
    package_sha256 VARCHAR(64),
    error          VARCHAR(2048),
    ended_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (deployment_id, target)
);

-- What is live where: the revision each target last accepted.
CREATE TABLE live_target (
    policy_id      VARCHAR(128)             NOT NULL,
    target         VARCHAR(128)             NOT NULL,
    revision       INTEGER                  NOT NULL,
    package_sha256 VARCHAR(64)              NOT NULL,
    deployment_id  VARCHAR(36)              NOT NULL,
    delivered_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (policy_id, target)
);

-- One deployment per policy id at a time, across threads and instances; a lease expires when its
-- holder dies without releasing it.
CREATE TABLE policy_lease (
    policy_id  VARCHAR(128)             NOT NULL PRIMARY KEY,
    holder     VARCHAR(36)              NOT NULL,
    instance   VARCHAR(128)             NOT NULL,
    expires_at TIMESTAMP WITH TIME ZONE NOT NULL
);
