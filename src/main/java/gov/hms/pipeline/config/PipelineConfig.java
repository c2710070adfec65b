package gov.hms.pipeline.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The operator's settings, prefix {@code pipeline} (see the README's configuration reference).
 * Every key can also be set as a {@code -D} system property or an environment variable
 * ({@code PIPELINE_TARGETS_REGISTRY_URL}).
 */
@ConfigMapping(prefix = "pipeline")
public interface PipelineConfig {

    /** Live systems that receive packages by HTTP POST, by name. */
    Map<String, Target> targets();

    /** Systems notified with a CloudEvent after every successful deployment, by name. */
    Map<String, Subscriber> subscribers();

    Delivery delivery();

    Notification notification();

    Audit audit();

    Validation validation();

    Signature signature();

    Security security();

    /**
     * On shutdown, how long in-flight deployments may take to finish after new work stops (HTTP
     * answers 503, inbox and queue consumers stop); drives {@code quarkus.shutdown.timeout}.
     */
    @WithName("shutdown-timeout")
    @WithDefault("20s")
    Duration shutdownTimeout();

    Registry registry();

    /** Deployments whose delivery finally failed, kept for a retry ({@code /api/dead-letters}). */
    @WithName("dead-letters")
    DeadLetters deadLetters();

    Packaging packaging();

    /** The deployment ledger: what is live where (docs/ledger.md). */
    Ledger ledger();

    /** The input queue that other systems publish approved policies to. */
    Queue queue();

    /** The message broker the input queue lives on: embedded Artemis, or an external broker. */
    Broker broker();

    Inbox inbox();

    /** One live system that receives packages. */
    interface Target {
        /** Absolute {@code http} or {@code https} URL that the package is POSTed to. */
        String url();

        /** Package format: {@code json} (the envelope) or {@code zip}. */
        @WithDefault("json")
        String format();

        @WithDefault("true")
        boolean enabled();

        /** Time allowed to open the TCP connection. */
        @WithName("connect-timeout")
        @WithDefault("5s")
        Duration connectTimeout();

        /** Time allowed for the target to answer once the request is sent. */
        @WithName("response-timeout")
        @WithDefault("30s")
        Duration responseTimeout();

        /** HTTP Basic user name the target expects, if any. */
        @WithName("auth-username")
        Optional<String> authUsername();

        /** HTTP Basic password; never logged or audited. */
        @WithName("auth-password")
        Optional<String> authPassword();

        /**
         * Labels a deployment may select the target by ({@code POST /api/policies?targets=group:clinics}),
         * comma-separated; none by default (then only a deployment to every target reaches it).
         */
        Optional<List<String>> groups();
    }

    /** One system that is told about deployments. */
    interface Subscriber {
        /** Absolute {@code http} or {@code https} URL that the CloudEvent is POSTed to. */
        String url();

        /** Standard Webhooks secret, {@code whsec_<base64>}; when present notifications are signed. */
        Optional<String> secret();

        @WithDefault("true")
        boolean enabled();

        /** HTTP Basic user name the subscriber expects, if any. */
        @WithName("auth-username")
        Optional<String> authUsername();

        /** HTTP Basic password; never logged or audited. */
        @WithName("auth-password")
        Optional<String> authPassword();
    }

    /** Redelivery of packages to targets (exponential backoff, Camel RedeliveryPolicy). */
    interface Delivery {
        /** Attempts per target, the first included. */
        @WithName("max-attempts")
        @WithDefault("5")
        int maxAttempts();

        @WithName("initial-delay")
        @WithDefault("1s")
        Duration initialDelay();

        @WithDefault("2")
        double multiplier();

        @WithName("max-delay")
        @WithDefault("60s")
        Duration maxDelay();

        /**
         * Requests to targets in flight at once, over all deployments of this instance (the
         * {@code targetDeliveryExecutor}'s threads); camel-http's connection pool is sized from it
         * ({@code camel.component.http.max-total-connections} and {@code connections-per-route}).
         * Its default, {@code 16}, is in the framework's {@code application.properties}, where those
         * pool keys refer to it.
         */
        @WithName("max-parallel")
        int maxParallel();
    }

    /** Fan-out of CloudEvents to subscribers. */
    interface Notification {
        /** Longest time the caller's answer waits for the subscribers. */
        @WithDefault("10s")
        Duration timeout();

        @WithName("connect-timeout")
        @WithDefault("5s")
        Duration connectTimeout();

        @WithName("response-timeout")
        @WithDefault("10s")
        Duration responseTimeout();

        /**
         * Where 0.5.0 kept its outbox (one JSON file per notification): imported into the ledger once
         * at start-up, then moved to {@code <outbox-dir>/imported}. The outbox itself is in the ledger.
         */
        @WithName("outbox-dir")
        @WithDefault("data/outbox")
        Path outboxDir();

        /**
         * Waits between attempts after the first (Standard Webhooks-like); when they are used up
         * the notification is given up (kept as {@code abandoned} in the ledger).
         */
        @WithName("retry-schedule")
        @WithDefault("5s,5m,30m,2h,5h,10h,10h")
        List<Duration> retrySchedule();

        /** How often the outbox is scanned for notifications that are due. */
        @WithName("poll-interval")
        @WithDefault("1s")
        Duration pollInterval();
    }

    /** The deployment ledger's concurrency rules; the database itself is {@code quarkus.datasource.*}. */
    interface Ledger {
        /**
         * How long a deployment holds its policy id's lease (one deployment per policy id at a time,
         * across instances) before another may take it over: longer than the slowest deployment
         * (every target's retries), short enough that a crashed holder does not block for long.
         */
        @WithDefault("15m")
        Duration lease();

        /**
         * How often a running instance records in the ledger that it is alive ({@code instance_heartbeat}).
         * An instance not seen for three of these counts as dead: the policy leases it held are free at
         * once, without waiting for {@code pipeline.ledger.lease}.
         */
        @WithDefault("5s")
        Duration heartbeat();

        /**
         * How long a deployment waits for another deployment of the same policy id to finish before
         * it gives up with 409.
         */
        @WithName("lease-wait")
        @WithDefault("2m")
        Duration leaseWait();
    }

    /** The durable dead-letter store of failed deliveries. */
    interface DeadLetters {
        /**
         * Where 0.5.0 kept its dead letters (one JSON file each): no longer read (the dead letters are
         * in the ledger); the service warns at start-up while files are left there (docs/ledger.md).
         */
        @WithDefault("data/dead-letters")
        Path dir();
    }

    /** The append-only, hash-chained audit log. */
    interface Audit {
        /** JSON Lines file; its folder is created at start-up. */
        @WithDefault("data/audit/audit.jsonl")
        Path file();

        /** Name of this service instance, written into every record. */
        @WithDefault("policy-pipeline")
        String instance();

        /**
         * A folder every instance shares (docs/scale-out.md, "Audit across instances"): when set, this
         * instance writes its chain there in files named after {@link #instance()}
         * ({@code audit.<instance>.jsonl}, …), and {@code GET /api/audit} and {@code /verify} cover
         * every chain in it. Unset: one chain at {@link #file()}, as for a single instance.
         */
        @WithName("shared-dir")
        Optional<Path> sharedDir();

        /**
         * When the active file is closed and a new one begun: {@code none}, or any of {@code daily}
         * (at the first record after midnight UTC) and a size such as {@code 64M} (before a record
         * would make the file larger), comma-separated. The chain continues across files.
         */
        @WithDefault("none")
        List<String> rotate();

        /** When records reach the disk: {@code always} (every record) or an interval such as {@code 1s}. */
        @WithDefault("always")
        String fsync();

        /**
         * How often a signed checkpoint is appended: a record count and/or an interval, comma-separated
         * (e.g. {@code 100,1m}: after 100 records or one minute with new records, whichever comes first).
         */
        @WithName("checkpoint-every")
        @WithDefault("100,1m")
        List<String> checkpointEvery();

        /** Ed25519 private key (PKCS#8 PEM); default {@code checkpoint-key.pem} next to the log, created if absent. */
        @WithName("checkpoint-key")
        Optional<Path> checkpointKey();

        /** Where checkpoints are appended; default {@code <log name>.checkpoints.jsonl} next to the log. */
        @WithName("checkpoint-file")
        Optional<Path> checkpointFile();

        /**
         * Free space the audit folder's file system must keep (e.g. {@code 64K}): below it the log takes
         * no records, so deployments fail before delivery with HTTP 503 and readiness is DOWN, instead
         * of a write failing half-way (docs/operations.md). {@code 0} turns the floor off.
         */
        @WithName("min-free-space")
        @WithDefault("64K")
        io.quarkus.runtime.configuration.MemorySize minFreeSpace();
    }

    /** Limits applied while parsing, before anything else looks at the input. */
    interface Validation {
        /** Largest policy accepted, in bytes (HTTP 413 above). */
        @WithName("max-bytes")
        @WithDefault("1048576")
        int maxBytes();

        /** Deepest nesting of objects and arrays accepted. */
        @WithName("max-depth")
        @WithDefault("64")
        int maxDepth();

        /** Longest string value accepted, in characters. */
        @WithName("max-string-length")
        @WithDefault("1000000")
        int maxStringLength();

        /**
         * JSON Schema (draft 2020-12) file policies are validated against; without it, the
         * shipped schema (config/policy.schema.json, packaged in the jar) applies.
         */
        Optional<Path> schema();
    }

    /**
     * Quarkus security on {@code /api/**} and {@code /registry/**} (roles submitter, operator,
     * reader, registry). Read by the {@code quarkus.http.auth.permission.*.enabled} settings.
     */
    interface Security {
        @WithDefault("true")
        boolean enabled();

        /**
         * Key of the console's CSRF tokens (HMAC-SHA256, at least 32 bytes, base64): give every
         * instance behind one load balancer the same key, so a form one instance rendered may be
         * posted to another. Without it, each instance draws a random key at start (forms rendered
         * before a restart are then refused; reload the page).
         */
        @WithName("console-csrf-key")
        Optional<String> consoleCsrfKey();
    }

    /** Detached JWS signatures over a policy's RFC 8785 canonical JSON (RFC 7515 appendix F). */
    interface Signature {
        /** JWKS file (RFC 7517) with the public keys that may sign policies. */
        Optional<Path> jwks();

        /** When true, a policy without a valid signature is rejected (422). */
        @WithDefault("false")
        boolean required();
    }

    /** The built-in reference receiver at {@code /registry} (stands in for live systems). */
    interface Registry {
        @WithDefault("data/registry")
        Path dir();

        /** Events kept in memory for {@code GET /registry/events}. */
        @WithName("max-events")
        @WithDefault("1000")
        int maxEvents();
    }

    /** How packages are built, signed, limited and kept (docs/packaging.md). */
    interface Packaging {
        /**
         * A private JWK file (RFC 7517) with a {@code kid}: an Ed25519 key ({@code OKP}, signed as
         * {@code EdDSA}, RFC 8037) or an RSA key of at least 2048 bits ({@code RS256}). When set,
         * every package is signed and the public key is published at {@code GET /api/keys}.
         */
        @WithName("signing-key")
        Optional<Path> signingKey();

        /**
         * Where 0.5.0 archived packages as files. No longer written or read (every version's packages
         * are in the ledger); kept so a 0.5.0 configuration still starts (docs/ledger.md, "Upgrading").
         */
        @WithName("archive-dir")
        @Deprecated(since = "0.6.0")
        Optional<Path> archiveDir();

        /** Largest package produced, in bytes; a policy whose package is larger fails with HTTP 413. */
        @WithName("max-bytes")
        @WithDefault("4194304")
        long maxBytes();
    }

    /**
     * The input queue (ANYCAST) and its dead-letter queue {@code <name>.DLQ}. The redelivery
     * settings configure the embedded broker; an external broker applies its own address settings.
     */
    interface Queue {
        @WithDefault("policies.approved")
        String name();

        /**
         * Redeliveries after a transient failure (a target down), the first delivery not counted;
         * after the last one the message goes to the dead-letter queue.
         */
        @WithName("max-redeliveries")
        @WithDefault("5")
        int maxRedeliveries();

        /** Messages processed at once by this instance (JMS consumers on the queue). */
        @WithName("concurrent-consumers")
        @WithDefault("1")
        int concurrentConsumers();

        /** Wait before the first redelivery (embedded broker). */
        @WithName("redelivery-delay")
        @WithDefault("5s")
        Duration redeliveryDelay();

        /** Each further redelivery waits this many times longer (embedded broker). */
        @WithName("redelivery-multiplier")
        @WithDefault("2")
        double redeliveryMultiplier();

        /** Longest wait between redeliveries (embedded broker). */
        @WithName("max-redelivery-delay")
        @WithDefault("5m")
        Duration maxRedeliveryDelay();
    }

    /** Where the input queue lives and how the service signs in to it. */
    interface Broker {
        /** Start the embedded Apache ActiveMQ Artemis broker; {@code false} connects to {@link #url()}. */
        @WithDefault("true")
        boolean embedded();

        /**
         * Embedded: the acceptor ({@code tcp://host:port}), speaking CORE and AMQP 1.0.
         * External: an Artemis URL ({@code tcp://}, e.g. {@code (tcp://a:61616,tcp://b:61616)}) or an
         * AMQP 1.0 URL ({@code amqp://}, {@code amqps://}, {@code failover:(amqp://..)}).
         */
        @WithDefault("tcp://127.0.0.1:61616")
        String url();

        /** Journal, bindings, paging and large messages of the embedded broker. */
        @WithName("data-dir")
        @WithDefault("data/broker")
        Path dataDir();

        /** The service's own broker user; with the embedded broker, setting it turns on authentication. */
        Optional<String> user();

        /** The password of {@link #user()}; never logged. */
        Optional<String> password();

        /** Embedded broker with authentication: the other systems allowed to send, by user name. */
        Map<String, Sender> senders();

        /** One system that may send to the input queue (and receive replies on temporary queues). */
        interface Sender {
            String password();
        }
    }

    /**
     * The watched inbox folder (docs/inbox.md). Relative paths are taken from the working directory.
     * The done and failed folders default to {@code .done} and {@code .failed} inside the inbox, which
     * the consumer never reads (it ignores hidden files and does not descend into folders).
     */
    interface Inbox {
        /** Whether the inbox route starts with the service. */
        @WithDefault("true")
        boolean enabled();

        /** The folder operators and other systems drop policy files into. */
        @WithDefault("data/inbox")
        Path dir();

        /**
         * Where deployed (and duplicate) files are moved, under a name with a time suffix, each with
         * {@code <name>.result.json} (the deployment's answer) beside it; default {@code <dir>/.done}.
         */
        @WithName("done-dir")
        Optional<Path> doneDir();

        /** Where rejected files are moved, each with {@code <name>.error.json}; default {@code <dir>/.failed}. */
        @WithName("failed-dir")
        Optional<Path> failedDir();

        /**
         * How long a file must stay unchanged before it is read: no write, rename or attribute change
         * (the operating system's change time, which {@code cp -p} and {@code touch -d} cannot set back).
         * A writer that pauses longer than this in the middle of a file must use the temp-name protocol.
         */
        @WithName("quiet-period")
        @WithDefault("5s")
        Duration quietPeriod();

        /**
         * How long a file's claim (a row in the ledger's {@code inbox_claim}) lasts unless its instance
         * renews it (it does so every third of this while it lives): the longest a file taken by an
         * instance that died waits before another instance sharing the folder takes it over.
         */
        @WithName("claim-lease")
        @WithDefault("30s")
        Duration claimLease();

        /**
         * The 0.5.0 inbox's idempotent repository. No longer read (the inbox follows the ledger's
         * rules); kept so a 0.5.0 configuration still starts (docs/ledger.md, "Upgrading").
         */
        @WithName("repository-file")
        @Deprecated(since = "0.6.0")
        Optional<Path> repositoryFile();

        Retry retry();

        /**
         * Retries of a whole deployment while a target is down (the deploy answered 502 or 500); the
         * file stays in the inbox meanwhile. Each attempt already includes the per-target redelivery
         * of {@code pipeline.delivery.*}.
         */
        interface Retry {
            /** Deploy attempts per file, the first included; then the file goes to the failed folder. */
            @WithName("max-attempts")
            @WithDefault("5")
            int maxAttempts();

            @WithName("initial-delay")
            @WithDefault("30s")
            Duration initialDelay();

            @WithDefault("2")
            double multiplier();

            @WithName("max-delay")
            @WithDefault("10m")
            Duration maxDelay();
        }
    }
}
