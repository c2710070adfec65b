package gov.hms.pipeline.ledger;

import gov.hms.pipeline.api.DeliveryOutcome;
import gov.hms.pipeline.api.Deployment;
import gov.hms.pipeline.api.DeploymentResult;
import gov.hms.pipeline.delivery.DeliveryTarget;
import gov.hms.pipeline.delivery.TargetDelivery;
import gov.hms.pipeline.ledger.LedgerRecords.CurrentPolicy;
import gov.hms.pipeline.ledger.LedgerRecords.StoredVersion;
import gov.hms.pipeline.packaging.CanonicalJson;
import gov.hms.pipeline.packaging.PolicyPackage;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.support.SynchronizationAdapter;

/**
 * The deployment ledger's steps in the deploy route: admission (one deployment per policy id at a
 * time, the version rules, the revision and the {@code Idempotency-Key}), each target's outcome,
 * and the deployment's end. The rules (docs/ledger.md):
 * <ul>
 * <li>New content gets the next revision; its key is its policy SHA-256 (the first intent to make it live).</li>
 * <li>A {@code version} lower than the live one, or the same version with other content: 409.</li>
 * <li>The live content again: delivered only to the targets that lack it, continuing the live intent
 * (same key); when every enabled target has it, {@link UnchangedPolicyException} (success, nothing sent),
 * unless the deployment that made it live was cut off before its notification round: this one runs it.</li>
 * <li>An older content again (not lower by version), a rollback or a sync: a new intent with a new key
 * (the deployment id), delivered to the targets that lack that revision.</li>
 * </ul>
 */
@ApplicationScoped
@Named("ledgerSteps")
public class LedgerSteps {

    /** Deployment statuses in the ledger. */
    public static final String DELIVERING = "delivering";
    public static final String COMPLETED = "completed";
    public static final String UNCHANGED = "unchanged";
    public static final String FAILED = "failed";

    private final DeploymentLedger ledger;
    private final PolicyLeases leases;
    private final TargetDelivery targetDelivery;

    public LedgerSteps(DeploymentLedger ledger, PolicyLeases leases, TargetDelivery targetDelivery) {
        this.ledger = ledger;
        this.leases = leases;
        this.targetDelivery = targetDelivery;
    }

    /**
     * Replaces parsing, validation and packaging for a rollback or sync: the archived policy and its
     * packages, byte for byte as first built.
     *
     * @throws LedgerConflictException (409) if the revision is not in the ledger
     */
    public void loadReplay(@ExchangeProperty(Deployment.PROPERTY) Deployment deployment) throws SQLException {
        String policyId = deployment.policyId();
        int revision = deployment.replayRevision();
        var summary = ledger.revision(policyId, revision)
                .orElseThrow(() -> new LedgerConflictException("policy " + policyId + " has no revision " + revision));
        deployment.policy(ledger.policyJson(policyId, revision).orElseThrow());
        deployment.identify(policyId, summary.version());
        deployment.policySha256(summary.policySha256());
        for (PolicyPackage policyPackage : ledger.packages(policyId, revision)) {
            if (!policyPackage.sha256().equals(CanonicalJson.sha256Hex(policyPackage.bytes()))) {
                throw new IllegalStateException("archived " + policyPackage.format() + " package of policy " + policyId
                        + " revision " + revision + " does not match its SHA-256: the ledger was altered");
            }
            deployment.addPackage(policyPackage);
        }
    }

    /**
     * Takes the policy's lease and applies the version rules in one transaction (the lease costs no
     * commit of its own); records the
     * deployment as {@code delivering} and, for new content, the new revision with its packages.
     *
     * @throws LedgerConflictException  (409) as the rules say, or when the lease stays taken
     * @throws UnchangedPolicyException when every enabled target already has this content
     */
    public void admit(Exchange exchange, @ExchangeProperty(Deployment.PROPERTY) Deployment deployment)
            throws SQLException, InterruptedException {
        String policyId = deployment.policyId();
        List<String> enabled = targetDelivery.enabledTargets(deployment).stream().map(DeliveryTarget::name).toList();
        Admission admission = leases.underLease(policyId, deployment.id(), ledger, connection -> {
            Admission decided = decide(connection, deployment, enabled);
            if (decided.targets().isEmpty() && !enabled.isEmpty() && !decided.notificationOwed()) {
                deployment.admit(decided.revision(), decided.key(), List.of()); // for its record in the ledger
                throw new UnchangedPolicyException(policyId, decided.revision());
            }
            ledger.insertDeployment(connection, deployment.id(), policyId, decided.revision(), deployment.version(),
                    DELIVERING, deployment.source().label(), deployment.actor(), deployment.origin(),
                    deployment.reason(), decided.key(), deployment.policySha256(), null);
            return decided;
        });
        releaseWithTheExchange(exchange, deployment);
        deployment.admit(admission.revision(), admission.key(), admission.targets());
        if (admission.notificationOwed()) {
            deployment.owesNotification(enabled);
            Log.infof("deployment %s: policy %s revision %d is live at every target, but the deployment that made it"
                    + " live was cut off before notifying its subscribers: notifying them now", deployment.id(),
                    policyId, admission.revision());
        } else {
            Log.infof("deployment %s: policy %s revision %d admitted for %s", deployment.id(), policyId,
                    admission.revision(), admission.targets());
        }
    }

    /**
     * A dry run's check of the version rules, without the lease and without keeping anything (the
     * transaction is rolled back): a dry run of a lower version, or of the same version with other
     * content, answers the 409 the deployment would get.
     *
     * @throws LedgerConflictException (409) as the rules say
     */
    public void preview(@ExchangeProperty(Deployment.PROPERTY) Deployment deployment) throws SQLException {
        List<String> enabled = targetDelivery.enabledTargets(deployment).stream().map(DeliveryTarget::name).toList();
        try (Connection connection = ledger.connection()) {
            connection.setAutoCommit(false);
            try {
                decide(connection, deployment, enabled);
            } finally {
                connection.rollback();
                connection.setAutoCommit(true);
            }
        }
    }

    /**
     * Admission of a dead-letter retry: it continues its deployment (same revision, same key), so it
     * may go on only while that revision is still the policy's current one.
     *
     * @throws LedgerConflictException (409) if a newer deployment superseded it (a sync delivers the current revision)
     */
    public void admitRetry(Exchange exchange, @ExchangeProperty(Deployment.PROPERTY) Deployment deployment)
            throws SQLException, InterruptedException {
        String policyId = deployment.policyId();
        holdLease(exchange, deployment);
        try (Connection connection = ledger.connection()) {
            Optional<CurrentPolicy> current = ledger.currentPolicy(connection, policyId);
            if (current.isPresent() && current.get().revision() != deployment.revision()) {
                throw new LedgerConflictException("this dead letter holds revision " + deployment.revision()
                        + " of policy " + policyId + ", which revision " + current.get().revision()
                        + " has superseded; discard it, and sync the policy (POST /api/policies/" + policyId + "/sync)");
            }
            ledger.insertDeployment(connection, deployment.id(), policyId, deployment.revision(), deployment.version(),
                    DELIVERING, deployment.source().label(), deployment.actor(), deployment.origin(), deployment.reason(),
                    deployment.idempotencyKey(), deployment.policySha256(), null);
        }
    }

    /** Takes the policy's lease; whatever happens to the exchange, the lease goes with it. */
    private void holdLease(Exchange exchange, Deployment deployment) throws SQLException, InterruptedException {
        leases.acquire(deployment.policyId(), deployment.id());
        releaseWithTheExchange(exchange, deployment);
    }

    /** Exchange property: {@code true} once {@link #end} released the lease in its own transaction. */
    private static final String LEASE_RELEASED = "ledgerLeaseReleased";

    /** Safety net: whatever happens to the exchange, a lease {@link #end} did not release goes with it. */
    private void releaseWithTheExchange(Exchange exchange, Deployment deployment) {
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                if (!done.getProperty(LEASE_RELEASED, false, Boolean.class)) {
                    leases.release(deployment.policyId(), deployment.id());
                }
            }
        });
    }

    /** @param notificationOwed nothing to deliver, but the intent's notification round never ran */
    private record Admission(int revision, String key, List<String> targets, boolean notificationOwed) {
        Admission(int revision, String key, List<String> targets) {
            this(revision, key, targets, false);
        }
    }

    private Admission decide(Connection connection, Deployment deployment, List<String> enabled) throws SQLException {
        String policyId = deployment.policyId();
        Optional<CurrentPolicy> current = ledger.currentPolicy(connection, policyId);
        List<StoredVersion> versions = ledger.storedVersions(connection, policyId);
        Map<String, Integer> live = ledger.liveRevisions(connection, policyId);
        String newIntent = deployment.id();
        if (deployment.withdrawal()) {
            // Its tombstone names the revision it withdraws, read before this lease: another
            // withdrawal or deployment may have changed the current revision meanwhile.
            int withdrawing = deployment.policy().path("withdrawal").path("revision").asInt(-1);
            if (current.isEmpty() || current.get().revision() != withdrawing) {
                throw new LedgerConflictException("policy " + policyId + " changed while this withdrawal waited: revision "
                        + current.map(CurrentPolicy::revision).orElse(null) + " is current now, not " + withdrawing
                        + " (withdrawn already, or deployed again); nothing was withdrawn");
            }
        }

        if (deployment.replay()) {
            // A rollback or a sync is always a new intent, with a new key; a scheduled activation
            // keeps the key of the intent that began when it was scheduled.
            int revision = deployment.replayRevision();
            String key = deployment.intentKey() != null ? deployment.intentKey() : newIntent;
            ledger.setCurrent(connection, policyId, revision, key);
            return new Admission(revision, key, lacking(enabled, live, revision));
        }

        Optional<StoredVersion> known = versions.stream()
                .filter(v -> v.policySha256().equals(deployment.policySha256())).findFirst();
        Optional<StoredVersion> liveVersion = current.flatMap(c -> versions.stream()
                .filter(v -> v.revision() == c.revision()).findFirst());
        if (known.isPresent() && current.isPresent() && known.get().revision() == current.get().revision()) {
            // The live content again: continue its intent, to the targets that lack it; when none
            // does, finish a notification round a crash cut off.
            int revision = known.get().revision();
            String key = current.get().idempotencyKey();
            List<String> lacking = lacking(enabled, live, revision);
            return new Admission(revision, key, lacking, lacking.isEmpty() && !enabled.isEmpty()
                    && ledger.notificationRoundOwed(connection, policyId, revision, key));
        }
        String liveLabel = liveVersion.map(StoredVersion::version).orElse(null);
        if (VersionPrecedence.compare(deployment.version(), liveLabel).map(order -> order < 0).orElse(false)) {
            throw new LedgerConflictException("version " + deployment.version() + " of policy " + policyId
                    + " is lower than the live version " + liveLabel + " (revision " + current.get().revision()
                    + "); to go back, roll back (POST /api/policies/" + policyId + "/rollback)");
        }
        if (known.isPresent()) {
            // An earlier content again, not lower by version: a new intent to make it live.
            ledger.setCurrent(connection, policyId, known.get().revision(), newIntent);
            return new Admission(known.get().revision(), newIntent, lacking(enabled, live, known.get().revision()));
        }
        Optional<StoredVersion> sameLabel = versions.stream()
                .filter(v -> VersionPrecedence.same(v.version(), deployment.version())).findFirst();
        if (sameLabel.isPresent()) {
            throw new LedgerConflictException("version " + deployment.version() + " of policy " + policyId
                    + " already exists with other content (revision " + sameLabel.get().revision()
                    + "); give changed content a new version");
        }
        int revision = versions.stream().mapToInt(StoredVersion::revision).max().orElse(0) + 1;
        ledger.insertVersion(connection, policyId, revision, deployment.version(), deployment.policySha256(),
                deployment.policy(), deployment.id(), deployment.actor(), deployment.source().label(), deployment.packages());
        ledger.setCurrent(connection, policyId, revision, deployment.policySha256());
        return new Admission(revision, deployment.policySha256(), enabled);
    }

    private static List<String> lacking(List<String> enabled, Map<String, Integer> live, int revision) {
        return enabled.stream().filter(target -> !Integer.valueOf(revision).equals(live.get(target))).toList();
    }

    /** The split of the deploy route: the enabled targets this deployment delivers to. */
    public List<DeliveryTarget> targetsToDeliver(@ExchangeProperty(Deployment.PROPERTY) Deployment deployment) {
        Set<String> names = Set.copyOf(deployment.targetNames());
        return targetDelivery.enabledTargets(deployment).stream().filter(t -> names.contains(t.name())).toList();
    }

    /**
     * After each target's outcome (delivered or failed): records it and, when delivered, that the
     * target now has this revision.
     *
     * @throws SQLException if it cannot be recorded (the deployment then fails: what is live where must be known)
     */
    public void recordDelivery(Exchange exchange) throws SQLException {
        Deployment deployment = exchange.getProperty(Deployment.PROPERTY, Deployment.class);
        DeliveryOutcome outcome = exchange.getProperty(TargetDelivery.OUTCOME, DeliveryOutcome.class);
        DeliveryTarget target = exchange.getProperty(TargetDelivery.TARGET, DeliveryTarget.class);
        if (outcome == null || deployment.revision() == null) {
            return;
        }
        PolicyPackage sent = target == null ? null : deployment.packageIn(target.format());
        ledger.recordDelivery(deployment.id(), deployment.policyId(), deployment.revision(), outcome.target(),
                outcome.delivered(), outcome.httpStatus(), outcome.attempts(), sent == null ? null : sent.sha256(),
                outcome.error());
    }

    /**
     * The deployment's end, after its final audit record is durable: its status in the ledger and
     * the lease released, in one transaction (should it fail, the exchange's completion releases the
     * lease). Never throws: the answer is decided and audited already; a ledger that
     * cannot be updated leaves the row {@code delivering} (the per-target rows are exact) and says so
     * in the log.
     */
    public void end(Exchange exchange, @ExchangeProperty(Deployment.PROPERTY) Deployment deployment) {
        if (deployment == null || deployment.policyId() == null || deployment.dryRun()) {
            return;
        }
        DeploymentResult result = exchange.getMessage().getBody(DeploymentResult.class);
        boolean unchanged = UnchangedPolicyException.endedUnchanged(exchange);
        String status = result != null && result.succeeded() ? (unchanged ? UNCHANGED : COMPLETED) : FAILED;
        try {
            ledger.inTransaction(connection -> {
                if (!ledger.hasDeployment(connection, deployment.id())) {
                    // Refused before admission (a conflict) or unchanged: still a deployment to list.
                    ledger.insertDeployment(connection, deployment.id(), deployment.policyId(), deployment.revision(),
                            deployment.version(), status, deployment.source().label(), deployment.actor(),
                            deployment.origin(), deployment.reason(), deployment.idempotencyKey(),
                            deployment.policySha256(), result == null ? null : result.error());
                }
                ledger.endDeployment(connection, deployment.id(), status, result == null ? null : result.error(),
                        result == null ? null : result.packageSha256(), result == null ? null : result.notifications());
                leases.release(connection, deployment.policyId(), deployment.id());
                return null;
            });
            exchange.setProperty(LEASE_RELEASED, true);
        } catch (SQLException | RuntimeException e) {
            Log.errorf("deployment %s: its end (%s) could not be recorded in the ledger: %s", deployment.id(), status,
                    e.getMessage());
        }
    }
}
