package gov.hms.pipeline.ledger;

import gov.hms.pipeline.api.Deployment;
import gov.hms.pipeline.api.DeploymentResult;
import gov.hms.pipeline.api.Source;
import gov.hms.pipeline.audit.AuditLog;
import gov.hms.pipeline.audit.AuditRecord;
import gov.hms.pipeline.audit.AuditStep;
import gov.hms.pipeline.config.PipelineConfig;
import gov.hms.pipeline.config.SchedulingConfig;
import gov.hms.pipeline.ledger.DeploymentRequests.RequestRow;
import gov.hms.pipeline.ledger.LedgerRecords.CurrentPolicy;
import gov.hms.pipeline.ledger.LedgerRecords.StoredVersion;
import gov.hms.pipeline.packaging.PolicyPackage;
import gov.hms.pipeline.validation.Rfc3339;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.ProducerTemplate;

/**
 * Scheduled activation (docs/scheduling.md): a policy whose {@code activateAt} (RFC 3339 date-time
 * with offset, part of the approved document) is later than its receipt is validated, packaged and
 * stored at once and answered {@code scheduled} (202); at that instant exactly one instance
 * delivers it, through the same deploy route, under the same deployment id.
 * <ul>
 * <li>Scheduling applies the ledger's version rules under the policy's lease (409 as for a
 * deployment) and stores the revision with its packages; it does not change what is live.</li>
 * <li>Every instance polls {@code deployment_request} every {@code pipeline.scheduling.poll-interval}
 * and claims a due row with a conditional UPDATE: one instance wins it. A claim expires after
 * {@code pipeline.scheduling.claim}, so an instance that died holding it hands it on; the claims a
 * previous run of this instance held are given up at start-up.</li>
 * <li>A newer revision of the policy, scheduled or admitted, supersedes an activation still scheduled
 * for the same or an older revision (audited {@code superseded}).</li>
 * </ul>
 */
@ApplicationScoped
@Named("scheduledActivations")
public class ScheduledActivations {

    /** The policy field naming when it goes live. */
    public static final String ACTIVATE_AT = "activateAt";
    private static final int DUE_PER_POLL = 100;

    private final DeploymentLedger ledger;
    private final DeploymentRequests requests;
    private final PolicyLeases leases;
    private final AuditLog auditLog;
    private final ProducerTemplate producer;
    private final SchedulingConfig config;
    private final String instance;
    private final ExecutorService workers;
    private final Withdrawals withdrawals;
    /** One-shot timers of activations due before the next poll, and their ids (one timer each). */
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "scheduled-activation-timer");
        thread.setDaemon(true);
        return thread;
    });
    private final java.util.Set<String> timed = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.AtomicBoolean previousRunReleased = new java.util.concurrent.atomic.AtomicBoolean();

    public ScheduledActivations(DeploymentLedger ledger, DeploymentRequests requests, PolicyLeases leases,
            AuditLog auditLog, ProducerTemplate producer, SchedulingConfig config, PipelineConfig pipeline,
            @Named("deploymentWorkers") ExecutorService workers, Withdrawals withdrawals) {
        this.withdrawals = withdrawals;
        this.ledger = ledger;
        this.requests = requests;
        this.leases = leases;
        this.auditLog = auditLog;
        this.producer = producer;
        this.config = config;
        this.instance = pipeline.audit().instance();
        this.workers = workers;
    }

    /**
     * A previous run of this instance died holding claims: free them, once, before this run's first
     * poll claims anything (the poll's timer may start before start-up observers run).
     */
    private void releaseClaimsOfPreviousRun() throws SQLException {
        if (previousRunReleased.getAndSet(true)) {
            return;
        }
        try (Connection connection = ledger.connection()) {
            int released = Sql.update(connection, "UPDATE deployment_request SET claimed_until = ? "
                    + "WHERE status = ? AND claimed_by = ?", Instant.EPOCH, DeploymentRequests.ACTIVATING, instance);
            if (released > 0) {
                Log.warnf("%d scheduled activation(s) that instance %s held when it stopped are due again", released,
                        instance);
            }
        }
    }

    // ---- in the deploy route -------------------------------------------------------------------

    /**
     * After packaging: a received policy whose {@code activateAt} is later than now is stored and
     * scheduled instead of delivered, under the policy's lease and its version rules, in one
     * transaction; activations of the same policy still scheduled for an older or the same revision
     * are superseded.
     *
     * @throws DeploymentScheduledException when scheduled (the route answers 202)
     * @throws LedgerConflictException      (409) as the version rules say
     */
    public void scheduleIfLater(@ExchangeProperty(Deployment.PROPERTY) Deployment deployment)
            throws SQLException, InterruptedException {
        if (deployment.replay() || deployment.dryRun() || deployment.policy() == null) {
            return;
        }
        Optional<Instant> activateAt = Optional.ofNullable(deployment.policy().get(ACTIVATE_AT))
                .filter(node -> node.isTextual() && Rfc3339.isDateTime(node.asText()))
                .flatMap(node -> Rfc3339.instant(node.asText()));
        if (activateAt.isEmpty() || !activateAt.get().isAfter(Instant.now())) {
            return; // missing or past: deployed at once, as always
        }
        deployment.activateAt(activateAt.get().truncatedTo(ChronoUnit.MICROS));
        String policyId = deployment.policyId();
        List<String> superseded = leases.underLease(policyId, deployment.id(), ledger, connection -> {
            int revision = storeRevision(connection, deployment);
            String key = revision < 0 ? deployment.id() : deployment.policySha256();
            revision = Math.abs(revision);
            requests.schedule(connection, deployment, revision, key);
            deployment.admit(revision, key, List.of());
            List<String> older = requests.supersede(connection, policyId, revision, deployment.id(), true,
                    "superseded by deployment " + deployment.id() + " (revision " + revision + ", scheduled for "
                            + deployment.activateAt() + ")");
            leases.release(connection, policyId, deployment.id());
            return older;
        });
        auditSuperseded(superseded, deployment);
        Log.infof("deployment %s: policy %s revision %d scheduled for %s", deployment.id(), policyId,
                deployment.revision(), deployment.activateAt());
        throw new DeploymentScheduledException(policyId, deployment.revision(), deployment.activateAt());
    }

    /**
     * The version rules of docs/ledger.md for content that will go live later: a label lower than the
     * live one, or an earlier label with other content, is refused; new content is stored as the next
     * revision.
     *
     * @return the revision, positive if this content is new (its first intent: key = policy SHA-256),
     *         negative if it was stored before (a new intent: key = the deployment id)
     */
    private int storeRevision(Connection connection, Deployment deployment) throws SQLException {
        String policyId = deployment.policyId();
        Optional<CurrentPolicy> current = ledger.currentPolicy(connection, policyId);
        List<StoredVersion> versions = ledger.storedVersions(connection, policyId);
        Optional<StoredVersion> known = versions.stream()
                .filter(v -> v.policySha256().equals(deployment.policySha256())).findFirst();
        String liveLabel = current.flatMap(c -> versions.stream().filter(v -> v.revision() == c.revision()).findFirst())
                .map(StoredVersion::version).orElse(null);
        if (known.isPresent()) {
            return -known.get().revision();
        }
        if (VersionPrecedence.compare(deployment.version(), liveLabel).map(order -> order < 0).orElse(false)) {
            throw new LedgerConflictException("version " + deployment.version() + " of policy " + policyId
                    + " is lower than the live version " + liveLabel + "; to go back, roll back (POST /api/policies/"
                    + policyId + "/rollback)");
        }
        if (versions.stream().anyMatch(v -> VersionPrecedence.same(v.version(), deployment.version()))) {
            throw new LedgerConflictException("version " + deployment.version() + " of policy " + policyId
                    + " already exists with other content; give changed content a new version");
        }
        int revision = versions.stream().mapToInt(StoredVersion::revision).max().orElse(0) + 1;
        ledger.insertVersion(connection, policyId, revision, deployment.version(), deployment.policySha256(),
                deployment.policy(), deployment.id(), deployment.actor(), deployment.source().label(), deployment.packages());
        return revision;
    }

    /** The answer to a scheduling request: {@code scheduled}, 202. */
    public DeploymentResult scheduled(@ExchangeProperty(Deployment.PROPERTY) Deployment deployment) {
        org.jboss.logging.MDC.remove(gov.hms.pipeline.api.DeploymentLifecycle.MDC_KEY);
        PolicyPackage jsonPackage = deployment.packageIn(PolicyPackage.JSON);
        return new DeploymentResult(DeploymentResult.SCHEDULED, null, null, deployment.id(), deployment.policyId(),
                deployment.policySha256(), jsonPackage == null ? null : jsonPackage.sha256(), null, null, null, null, 202);
    }

    /** The audit detail of the {@code scheduled} record. */
    public String scheduledDetail(@ExchangeProperty(Deployment.PROPERTY) Deployment deployment) {
        return "revision " + deployment.revision() + " stored; goes live at " + deployment.activateAt()
                + " (activateAt), with Idempotency-Key " + deployment.idempotencyKey();
    }

    /**
     * Right after admission: an admitted revision supersedes the activations of its policy still
     * scheduled for it or an older one; an activation's own claim ends (no other instance runs it).
     */
    public void afterAdmission(@ExchangeProperty(Deployment.PROPERTY) Deployment deployment) throws SQLException {
        if (deployment.intentKey() != null) {
            requests.activated(deployment.id(), null);
        }
        List<String> superseded;
        try (Connection connection = ledger.connection()) {
            superseded = requests.supersede(connection, deployment.policyId(), deployment.revision(), deployment.id(), false,
                    "superseded by deployment " + deployment.id() + " (revision " + deployment.revision() + ")");
        }
        auditSuperseded(superseded, deployment);
        scheduleExpiry(deployment);
    }

    /**
     * A live revision whose policy names an {@code expiresAt} (RFC 3339 date or date-time) still to come is
     * withdrawn then: a scheduled withdrawal, superseded when another revision is admitted first.
     */
    private void scheduleExpiry(Deployment deployment) throws SQLException {
        if (deployment.withdrawal() || deployment.policy() == null) {
            return;
        }
        com.fasterxml.jackson.databind.JsonNode expiresAt = deployment.policy().get("expiresAt");
        Optional<Instant> instant = expiresAt == null || !expiresAt.isTextual() ? Optional.empty()
                : Rfc3339.instant(expiresAt.asText());
        if (instant.isEmpty() || !instant.get().isAfter(Instant.now())) {
            // Past already (as activateAt): information for the targets, as before 0.6.0; nothing is scheduled.
            return;
        }
        try (Connection connection = ledger.connection()) {
            requests.scheduleExpiry(connection, java.util.UUID.randomUUID().toString(), deployment.policyId(),
                    deployment.revision(), deployment.version(), instant.get().truncatedTo(ChronoUnit.MICROS));
        }
        Log.infof("deployment %s: policy %s revision %d will be withdrawn at its expiresAt %s", deployment.id(),
                deployment.policyId(), deployment.revision(), instant.get());
    }

    private void auditSuperseded(List<String> superseded, Deployment by) {
        for (String id : superseded) {
            audit(id, by.policyId(), AuditStep.SUPERSEDED, by.source().label(), by.actor(),
                    "superseded by deployment " + by.id() + " (revision " + by.revision() + "); not activated");
        }
    }

    // ---- due activations ---------------------------------------------------------------------

    /**
     * The poll (route {@code scheduled-activations}): claims every due activation this instance can
     * win and runs each on a worker; one due before the next poll gets a one-shot timer at its
     * instant, so it does not wait for that poll (the claim still decides which instance runs it).
     *
     * @return how many this poll claimed
     */
    public int runDue() throws SQLException {
        releaseClaimsOfPreviousRun();
        int claimed = 0;
        for (String id : requests.due(Instant.now(), DUE_PER_POLL)) {
            claimed += claimAndRun(id) ? 1 : 0;
        }
        Instant now = Instant.now();
        for (DeploymentRequests.Upcoming next : requests.upcoming(now, now.plus(config.pollInterval()), DUE_PER_POLL)) {
            if (timed.add(next.deploymentId())) {
                timer.schedule(() -> {
                    timed.remove(next.deploymentId());
                    try {
                        claimAndRun(next.deploymentId());
                    } catch (SQLException | RuntimeException e) {
                        Log.warnf("deployment %s: claim at its instant failed (the next poll tries again): %s",
                                next.deploymentId(), e.getMessage());
                    }
                }, Math.max(0, Duration.between(Instant.now(), next.activateAt()).toNanos()), TimeUnit.NANOSECONDS);
            }
        }
        return claimed;
    }

    /** @return whether this instance claimed the due activation and handed it to a worker */
    private boolean claimAndRun(String deploymentId) throws SQLException {
        Instant now = Instant.now();
        Optional<RequestRow> row = requests.claim(deploymentId, instance, now, now.plus(config.claim()));
        row.ifPresent(claimed -> workers.submit(() -> activate(claimed)));
        return row.isPresent();
    }

    void stopTimer(@Observes ShutdownEvent stop) {
        timer.shutdownNow();
    }

    /** Runs one claimed activation through {@code direct:deploy}; never throws. */
    void activate(RequestRow row) {
        String id = row.deploymentId();
        try {
            if (ledger.deployment(id).isPresent()) {
                // A run that died after admitting it: its deployment row says how far it got.
                requests.activated(id, "admitted by an earlier run; see the deployment's status");
                return;
            }
            Optional<Integer> current = ledger.currentRevision(row.policyId());
            boolean superseded = DeploymentRequests.WITHDRAWAL.equals(row.kind())
                    ? !current.map(c -> c.equals(row.revision())).orElse(false)
                    : current.isPresent() && current.get() > row.revision();
            if (superseded) {
                requests.supersedeClaimed(id, "superseded by revision " + current.orElse(null));
                audit(id, row.policyId(), AuditStep.SUPERSEDED, row.source(), row.actor(),
                        "revision " + current.orElse(null) + " is current; revision " + row.revision() + " not "
                                + (DeploymentRequests.WITHDRAWAL.equals(row.kind()) ? "withdrawn" : "activated"));
                return;
            }
            boolean late = row.lateMillis() != null && row.lateMillis() > config.tolerance().toMillis();
            if (DeploymentRequests.WITHDRAWAL.equals(row.kind())) {
                Log.infof("deployment %s: policy %s revision %d expired at %s; withdrawing it (%d ms after)", id,
                        row.policyId(), row.revision(), row.activateAt(), row.lateMillis());
                withdrawals.withdraw(id, row.policyId(), "expired at " + row.activateAt() + " (expiresAt)", "system");
                requests.activated(id, null);
                return;
            }
            Deployment deployment = Deployment.activating(id, Source.valueOf(row.source().toUpperCase(java.util.Locale.ROOT)),
                    row.actor(), "scheduled activation at " + row.activateAt() + ", began " + row.lateMillis()
                            + " ms after" + (late ? " (late)" : ""), row.revision(), row.intentKey());
            deployment.identify(row.policyId(), row.version());
            Log.infof("deployment %s: activation of policy %s revision %d due at %s begins %d ms after%s", id,
                    row.policyId(), row.revision(), row.activateAt(), row.lateMillis(), late ? " (late)" : "");
            producer.send("direct:deploy", exchange -> exchange.setProperty(Deployment.PROPERTY, deployment));
            requests.activated(id, null);
        } catch (SQLException | RuntimeException e) {
            Log.errorf(e, "deployment %s: scheduled activation failed to run; it is due again when its claim expires", id);
        }
    }

    // ---- cancellation ------------------------------------------------------------------------

    /**
     * Cancels an activation still scheduled; audited as {@code cancelled} with who and why.
     *
     * @return whether it was still scheduled (not yet claimed, activated, cancelled or superseded)
     */
    public boolean cancel(String deploymentId, String actor, String reason) throws SQLException {
        Optional<RequestRow> row = requests.find(deploymentId);
        String note = "cancelled by " + actor + (reason == null || reason.isBlank() ? "" : ": " + reason);
        if (row.isEmpty() || !requests.cancel(deploymentId, note)) {
            return false;
        }
        audit(deploymentId, row.get().policyId(), AuditStep.CANCELLED, "http", actor, "activation at "
                + row.get().activateAt() + " of revision " + row.get().revision() + " " + note);
        return true;
    }

    private void audit(String deploymentId, String policyId, String step, String source, String actor, String detail) {
        auditLog.append(new AuditRecord(Instant.now().truncatedTo(ChronoUnit.MILLIS).toString(), deploymentId, policyId,
                step, AuditRecord.OK, source, actor, detail, null, null, "scheduled-activations", null, null));
        auditLog.awaitFinalRecord(deploymentId);
    }
}
