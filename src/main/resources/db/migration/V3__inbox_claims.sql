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
