package gov.hms.pipeline.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Every chain opened for reading at one moment: this instance's own ({@link AuditLog#view()}, under its
 * writer's lock) and, with a shared audit folder, every other instance's there ({@link SharedAuditFolder#open}),
 * by instance id.
 *
 * @param views the chains, sorted by instance id
 * @param own   this instance's id
 */
record AuditChains(SortedMap<String, AuditView> views, String own) implements AutoCloseable {

    /**
     * @param folder  the shared folder, or {@code null} for this instance's chain alone
     * @param ownView this instance's chain, closed here too if another cannot be opened
     * @throws IOException naming the chain that cannot be read
     */
    static AuditChains open(SharedAuditFolder folder, String own, AuditView ownView) throws IOException {
        SortedMap<String, AuditView> views = new TreeMap<>();
        views.put(own, ownView);
        if (folder == null) {
            return new AuditChains(views, own);
        }
        try {
            for (String instance : folder.instances()) {
                if (!instance.equals(own)) {
                    views.put(instance, folder.open(instance));
                }
            }
        } catch (IOException | RuntimeException e) {
            views.values().forEach(AuditView::close);
            throw e;
        }
        return new AuditChains(views, own);
    }

    /** Walks every chain with its own public key; the answer names each chain ({@link AuditVerification#across}). */
    AuditVerification verify(ObjectMapper mapper) throws IOException {
        List<AuditVerification> chains = new ArrayList<>();
        for (var chain : views.entrySet()) {
            chains.add(AuditVerifier.verify(chain.getValue(), mapper).ofChain(chain.getKey()));
        }
        return AuditVerification.across(chains, own);
    }

    @Override
    public void close() {
        views.values().forEach(AuditView::close);
    }
}
