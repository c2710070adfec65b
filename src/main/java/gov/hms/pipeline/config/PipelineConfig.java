package gov.hms.pipeline.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.nio.file.Path;
import java.time.Duration;
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

    Registry registry();

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
    }

    /** One system that is told about deployments. */
    interface Subscriber {
        /** Absolute {@code http} or {@code https} URL that the CloudEvent is POSTed to. */
        String url();

        /** Standard Webhooks secret, {@code whsec_<base64>}; when present notifications are signed. */
        Optional<String> secret();

        @WithDefault("true")
        boolean enabled();
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
    }

    /** The append-only, hash-chained audit log. */
    interface Audit {
        /** JSON Lines file; its folder is created at start-up. */
        @WithDefault("data/audit/audit.jsonl")
        Path file();

        /** Name of this service instance, written into every record. */
        @WithDefault("policy-pipeline")
        String instance();
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

        /** Where deployed (and duplicate) files are moved, under a name with a time suffix; default {@code <dir>/.done}. */
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
         * The inbox's idempotent repository: one SHA-256 (of the policy's RFC 8785 canonical JSON) per
         * line, for every policy the inbox deployed successfully. Survives restarts.
         */
        @WithName("repository-file")
        @WithDefault("data/state/inbox-deployed-sha256.txt")
        Path repositoryFile();

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
