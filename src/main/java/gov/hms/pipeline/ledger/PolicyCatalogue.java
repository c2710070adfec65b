package gov.hms.pipeline.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import com.flipkart.zjsonpatch.JsonDiff;
import gov.hms.pipeline.delivery.DeliveryTarget;
import gov.hms.pipeline.delivery.TargetDelivery;
import gov.hms.pipeline.ledger.DeploymentLedger.LiveRow;
import gov.hms.pipeline.ledger.LedgerRecords.PolicyPage;
import gov.hms.pipeline.ledger.LedgerRecords.PolicyStatus;
import gov.hms.pipeline.ledger.LedgerRecords.PolicyVersion;
import gov.hms.pipeline.ledger.LedgerRecords.TargetStatus;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The ledger's read side: what is live where, the versions of a policy, and the difference between
 * two of them. Every enabled target is listed for every policy (a target that never received it
 * shows {@code revision: null, inSync: false}), and so is any target that once received it.
 */
@ApplicationScoped
public class PolicyCatalogue {

    private final DeploymentLedger ledger;
    private final TargetDelivery targetDelivery;
    private final DeploymentRequests requests;
    private final Withdrawals withdrawals;

    public PolicyCatalogue(DeploymentLedger ledger, TargetDelivery targetDelivery, DeploymentRequests requests,
            Withdrawals withdrawals) {
        this.ledger = ledger;
        this.targetDelivery = targetDelivery;
        this.requests = requests;
        this.withdrawals = withdrawals;
    }

    /**
     * @return the policy's live state, with its activations still to come; empty if the ledger has no
     *         such policy, or only revisions that never went live and are not scheduled (cancelled)
     */
    public Optional<PolicyStatus> live(String policyId) throws SQLException {
        Optional<Integer> current = ledger.currentRevision(policyId);
        List<LedgerRecords.ScheduledRevision> scheduled = requests.scheduledOf(policyId).stream()
                .map(r -> new LedgerRecords.ScheduledRevision(r.deploymentId(), r.revision(), r.version(), r.activateAt(),
                        r.status(), r.kind())).toList();
        if (current.isEmpty() && scheduled.isEmpty()) {
            return Optional.empty();
        }
        Optional<DeploymentLedger.RevisionRow> revision = current.isEmpty() ? Optional.empty()
                : ledger.revision(policyId, current.get());
        Map<String, LiveRow> live = ledger.liveTargets(policyId);
        TreeSet<String> names = new TreeSet<>(live.keySet());
        targetDelivery.enabledTargets().stream().map(DeliveryTarget::name).forEach(names::add);
        List<TargetStatus> targets = new ArrayList<>();
        for (String name : names) {
            LiveRow row = live.get(name);
            targets.add(row == null ? new TargetStatus(name, null, null, null, null, false)
                    : new TargetStatus(name, row.revision(), row.version(), row.packageSha256(), row.deliveredAt(),
                            current.isPresent() && row.revision() == current.get()));
        }
        return Optional.of(new PolicyStatus(policyId, current.orElse(null),
                revision.map(DeploymentLedger.RevisionRow::version).orElse(null),
                revision.map(DeploymentLedger.RevisionRow::policySha256).orElse(null),
                revision.map(DeploymentLedger.RevisionRow::packageSha256).orElse(null), targets, scheduled,
                current.isPresent() && withdrawals.isWithdrawn(policyId, current.get())));
    }

    /**
     * @param cursor the {@code next} of the previous page, or {@code null}
     * @param limit  items per page (1 to 1000)
     */
    public PolicyPage page(String cursor, int limit) throws SQLException {
        List<String> ids = ledger.policyIds(cursor, limit + 1);
        boolean more = ids.size() > limit;
        List<PolicyStatus> items = new ArrayList<>();
        for (String id : ids.subList(0, Math.min(limit, ids.size()))) {
            live(id).ifPresent(items::add);
        }
        // The cursor is the last id looked at: a cancelled-only policy is skipped, not an end.
        return new PolicyPage(items, more ? ids.get(limit - 1) : null);
    }

    /** @return the policy's versions newest first (empty if unknown) */
    public List<PolicyVersion> versions(String policyId) throws SQLException {
        return ledger.versions(policyId);
    }

    /**
     * The RFC 6902 JSON Patch that turns one version of the policy into another (zjsonpatch).
     *
     * @return the patch, empty if either version is unknown
     */
    public Optional<JsonNode> diff(String policyId, String from, String to) throws SQLException {
        Optional<Integer> fromRevision = ledger.resolveRevision(policyId, from);
        Optional<Integer> toRevision = ledger.resolveRevision(policyId, to);
        if (fromRevision.isEmpty() || toRevision.isEmpty()) {
            return Optional.empty();
        }
        JsonNode source = ledger.policyJson(policyId, fromRevision.get()).orElseThrow();
        JsonNode target = ledger.policyJson(policyId, toRevision.get()).orElseThrow();
        return Optional.of(JsonDiff.asJson(source, target));
    }
}
