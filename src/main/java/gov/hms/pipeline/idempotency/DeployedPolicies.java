package gov.hms.pipeline.idempotency;

import gov.hms.pipeline.api.Deployment;
import gov.hms.pipeline.config.PipelineConfig;
import io.quarkus.logging.Log;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import java.nio.file.Path;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.support.processor.idempotent.FileIdempotentRepository;

/**
 * The idempotent-consumer step of {@code direct:deploy}, active only for deployments that asked for it
 * ({@link Deployment#skipsDuplicates()}, the inbox): the key is the policy's SHA-256 (hex, of its
 * RFC 8785 canonical JSON, the same value as the {@code Idempotency-Key}). A key is stored only once
 * the deployment reached every target, so a policy that failed can be tried again.
 * <p>
 * The keys live in Camel's {@link FileIdempotentRepository} at {@code pipeline.inbox.repository-file}
 * (one key per line, appended; read back at start-up), so they survive restarts, and are indexed in
 * memory ({@link IndexedFileIdempotentRepository}). The file is never trimmed: a forgotten key would
 * let a policy be delivered twice.
 */
@ApplicationScoped
@Named("deployedPolicies")
public class DeployedPolicies {

    /** Exchange property set to {@code true} when the deployment was skipped as a duplicate. */
    public static final String DUPLICATE = "duplicatePolicy";

    /** Camel's LRU cache in front of the index. */
    private static final int CACHE_SIZE = 10_000;

    private final IndexedFileIdempotentRepository repository;

    public DeployedPolicies(PipelineConfig config) {
        Path file = config.inbox().repositoryFile().toAbsolutePath();
        repository = new IndexedFileIdempotentRepository();
        repository.setFileStore(file.toFile());
        repository.setCacheSize(CACHE_SIZE);
        repository.setMaxFileStoreSize(0);
        repository.start();
        Log.infof("idempotent repository %s open: %d key(s)", file, repository.indexedKeys());
    }

    /**
     * Route step after packaging: lets the deployment go on unless it asked to skip duplicates and its
     * policy was deployed before.
     *
     * @throws DuplicatePolicyException if the policy's SHA-256 is already in the repository
     */
    public void requireNew(Exchange exchange, @ExchangeProperty(Deployment.PROPERTY) Deployment deployment) {
        if (!deployment.skipsDuplicates()) {
            return;
        }
        if (repository.contains(deployment.policySha256())) {
            exchange.setProperty(DUPLICATE, Boolean.TRUE);
            Log.infof("deployment %s: policy %s (sha256 %s) was already deployed; not delivered again",
                    deployment.id(), deployment.policyId(), deployment.policySha256());
            throw new DuplicatePolicyException(deployment.policySha256());
        }
    }

    /**
     * Route step after a successful deployment: stores its key if it asked to skip duplicates. A
     * failure to store is logged, not thrown: the policy is live, and at worst a later copy is
     * delivered once more under the same {@code Idempotency-Key}.
     */
    public void remember(@ExchangeProperty(Deployment.PROPERTY) Deployment deployment) {
        if (!deployment.skipsDuplicates() || deployment.policySha256() == null) {
            return;
        }
        try {
            repository.add(deployment.policySha256());
        } catch (RuntimeException e) {
            Log.errorf("deployment %s: could not store key %s in the idempotent repository %s: %s", deployment.id(),
                    deployment.policySha256(), repository.getFilePath(), e.toString());
        }
    }

    /** Whether a policy with this SHA-256 was deployed (for tests and operators' tools). */
    public boolean contains(String policySha256) {
        return repository.contains(policySha256);
    }

    @PreDestroy
    void close() {
        repository.stop();
    }
}
