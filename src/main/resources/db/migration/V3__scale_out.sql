-- Several instances on one shared inbox folder (docs/scale-out.md): an instance deploys a file only
-- while it holds the file's claim row here. A claim names its instance (pipeline.audit.instance) and
-- lasts until claimed_until; the holder renews it while it lives, so the claim of an instance that
-- died runs out and another instance takes the file over. File locks are not used for this: they
-- are unreliable on network file systems.
CREATE TABLE inbox_claim (
    file_name     VARCHAR(1024)            NOT NULL PRIMARY KEY,
    claimed_by    VARCHAR(256)             NOT NULL,
    claimed_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    claimed_until TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX inbox_claim_holder ON inbox_claim (claimed_by);

-- Which instances are alive: each running instance moves its alive_until forward every
-- pipeline.ledger.heartbeat. A policy lease (policy_lease) whose instance's alive_until has passed
-- is free at once, without waiting for the lease itself (pipeline.ledger.lease) to run out: an
-- instance that died does not hold its in-flight policies for long.
CREATE TABLE instance_heartbeat (
    instance    VARCHAR(128)             NOT NULL PRIMARY KEY,
    started_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    seen_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    alive_until TIMESTAMP WITH TIME ZONE NOT NULL
);
