package gov.hms.pipeline.support;

import gov.hms.pipeline.config.PipelineConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A {@link PipelineConfig} for unit tests of single beans: the sections a bean reads are given,
 * the others throw so a test cannot depend on them by accident.
 */
public class StubPipelineConfig implements PipelineConfig {

    private int maxBytes = 1_048_576;
    private Path auditFile;
    private String auditInstance = "test-instance";
    private Path auditSharedDir;
    private Path schema;
    private Path jwks;
    private boolean signatureRequired;

    public StubPipelineConfig schema(Path schema) {
        this.schema = schema;
        return this;
    }

    public StubPipelineConfig jwks(Path jwks, boolean required) {
        this.jwks = jwks;
        this.signatureRequired = required;
        return this;
    }

    private List<String> rotate = List.of("none");
    private String fsync = "always";
    private List<String> checkpointEvery = List.of("100", "1m");
    private Map<String, Subscriber> subscribers = Map.of();
    private long minFreeSpace = 64 * 1024;

    public StubPipelineConfig maxBytes(int maxBytes) {
        this.maxBytes = maxBytes;
        return this;
    }

    public StubPipelineConfig auditFile(Path auditFile) {
        this.auditFile = auditFile;
        return this;
    }

    /** {@code pipeline.audit.instance} (default {@code test-instance}) and {@code pipeline.audit.shared-dir}. */
    public StubPipelineConfig auditShared(String instance, Path sharedDir) {
        this.auditInstance = instance;
        this.auditSharedDir = sharedDir;
        return this;
    }

    /** {@code pipeline.audit.rotate}, {@code fsync} and {@code checkpoint-every} as written in properties. */
    public StubPipelineConfig auditOptions(String rotate, String fsync, String checkpointEvery) {
        this.rotate = List.of(rotate.split(","));
        this.fsync = fsync;
        this.checkpointEvery = List.of(checkpointEvery.split(","));
        return this;
    }

    /** {@code pipeline.audit.min-free-space} in bytes. */
    public StubPipelineConfig minFreeSpace(long bytes) {
        this.minFreeSpace = bytes;
        return this;
    }

    /** One subscriber with a signing secret (its URL is never called by the tests that use this). */
    public StubPipelineConfig subscriberSecret(String secret) {
        this.subscribers = Map.of("records", new Subscriber() {
            @Override
            public String url() {
                return "http://127.0.0.1:1/unused";
            }

            @Override
            public Optional<String> secret() {
                return Optional.of(secret);
            }

            @Override
            public boolean enabled() {
                return true;
            }

            @Override
            public Optional<String> authUsername() {
                return Optional.empty();
            }

            @Override
            public Optional<String> authPassword() {
                return Optional.empty();
            }
        });
        return this;
    }

    @Override
    public Map<String, Target> targets() {
        return Map.of();
    }

    @Override
    public Map<String, Subscriber> subscribers() {
        return subscribers;
    }

    @Override
    public Delivery delivery() {
        throw new UnsupportedOperationException("not configured in this test");
    }

    @Override
    public Notification notification() {
        throw new UnsupportedOperationException("not configured in this test");
    }

    @Override
    public Audit audit() {
        return new Audit() {
            @Override
            public Path file() {
                return auditFile;
            }

            @Override
            public String instance() {
                return auditInstance;
            }

            @Override
            public Optional<Path> sharedDir() {
                return Optional.ofNullable(auditSharedDir);
            }

            @Override
            public List<String> rotate() {
                return rotate;
            }

            @Override
            public String fsync() {
                return fsync;
            }

            @Override
            public List<String> checkpointEvery() {
                return checkpointEvery;
            }

            @Override
            public Optional<Path> checkpointKey() {
                return Optional.empty();
            }

            @Override
            public Optional<Path> checkpointFile() {
                return Optional.empty();
            }

            @Override
            public io.quarkus.runtime.configuration.MemorySize minFreeSpace() {
                return new io.quarkus.runtime.configuration.MemorySize(java.math.BigInteger.valueOf(minFreeSpace));
            }
        };
    }

    @Override
    public Validation validation() {
        return new Validation() {
            @Override
            public int maxBytes() {
                return maxBytes;
            }

            @Override
            public int maxDepth() {
                return 64;
            }

            @Override
            public int maxStringLength() {
                return 1_000_000;
            }

            @Override
            public java.util.Optional<Path> schema() {
                return java.util.Optional.ofNullable(schema);
            }
        };
    }

    @Override
    public Signature signature() {
        return new Signature() {
            @Override
            public java.util.Optional<Path> jwks() {
                return java.util.Optional.ofNullable(jwks);
            }

            @Override
            public boolean required() {
                return signatureRequired;
            }
        };
    }

    @Override
    public java.time.Duration shutdownTimeout() {
        return java.time.Duration.ofSeconds(20);
    }

    @Override
    public Inbox inbox() {
        throw new UnsupportedOperationException("not configured in this test");
    }

    @Override
    public Queue queue() {
        throw new UnsupportedOperationException("not configured in this test");
    }

    @Override
    public Broker broker() {
        throw new UnsupportedOperationException("not configured in this test");
    }

    @Override
    public Security security() {
        return new Security() {
            @Override
            public boolean enabled() {
                return false;
            }

            @Override
            public Optional<String> consoleCsrfKey() {
                return Optional.empty();
            }
        };
    }

    @Override
    public Registry registry() {
        throw new UnsupportedOperationException("not configured in this test");
    }

    @Override
    public DeadLetters deadLetters() {
        throw new UnsupportedOperationException("not configured in this test");
    }

    @Override
    public Packaging packaging() {
        throw new UnsupportedOperationException("not configured in this test");
    }

    @Override
    public Ledger ledger() {
        throw new UnsupportedOperationException("not configured in this test");
    }
}
