package gov.hms.pipeline.delivery;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import gov.hms.pipeline.api.DeliveryOutcome;
import gov.hms.pipeline.api.Deployment;
import gov.hms.pipeline.api.Source;
import gov.hms.pipeline.audit.AuditSnapshot;
import gov.hms.pipeline.config.PipelineConfig;
import gov.hms.pipeline.ledger.DeploymentLedger;
import gov.hms.pipeline.ledger.Sql;
import gov.hms.pipeline.packaging.PolicyPackage;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Named;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.camel.Exchange;

/**
 * The dead-letter channel of deliveries: the ledger's {@code dead_letter} table, one row per failed
 * deployment (its packages are its revision's, in {@code policy_package}). The
 * {@code dead-letter*} routes keep, retry and discard entries; {@code /api/dead-letters}
 * ({@link DeadLetterResource}) lists them.
 * <p>
 * An id is a deployment id (a lower-case UUID) and is checked against {@link #ID} before it is
 * looked up.
 */
@ApplicationScoped
@Named("deadLetterStore")
public class DeadLetterStore {

    /** Exchange property: the id of the dead letter the current exchange kept or retries. */
    public static final String ID_PROPERTY = "deadLetterId";
    /** Exchange property: the {@link DeadLetter} a retry or discard works on (loaded by the API). */
    public static final String ENTRY_PROPERTY = "deadLetter";
    /** Exchange property: who asked for a retry or discard through the API (for the audit log). */
    public static final String ACTOR_PROPERTY = "deadLetterActor";
    /** Audit step of a discarded dead letter. */
    public static final String DISCARDED_STEP = "dead-letter-discarded";

    /** A dead-letter id: a UUID as this service writes deployment ids. */
    public static final Pattern ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private final DeploymentLedger ledger;
    private final TargetDelivery targetDelivery;
    private final Path legacyDir;
    private final ObjectMapper mapper = new ObjectMapper();
    private final Set<String> retrying = ConcurrentHashMap.newKeySet();

    public DeadLetterStore(DeploymentLedger ledger, TargetDelivery targetDelivery, PipelineConfig config) {
        this.ledger = ledger;
        this.targetDelivery = targetDelivery;
        this.legacyDir = config.deadLetters().dir();
    }

    /** 0.5.0 kept dead letters as files, with no ledger revision to tie them to: say so while any are left. */
    void warnAboutLegacyFiles(@Observes StartupEvent start) throws IOException {
        if (!Files.isDirectory(legacyDir)) {
            return;
        }
        try (Stream<Path> files = Files.list(legacyDir)) {
            long left = files.filter(p -> p.getFileName().toString().endsWith(".json")).count();
            if (left > 0) {
                Log.warnf("%d dead letter file(s) of version 0.5.0 are in %s; this version does not read them. "
                        + "Each names its policy and missing targets: deploy that policy again (or sync it) and "
                        + "then delete the file (docs/ledger.md, \"Upgrading from 0.5.0\")", left, legacyDir);
            }
        }
    }

    /** Whether {@code id} is a well-formed dead-letter id (nothing else is ever looked up). */
    public static boolean isValidId(String id) {
        return id != null && ID.matcher(id).matches();
    }

    /**
     * Keeps the current deployment as a dead letter: the targets that have it and those that don't
     * with their last error; its packages are its revision's in the ledger. Sets {@value #ID_PROPERTY}
     * for the answer.
     *
     * @throws IllegalStateException if it cannot be stored (the deployment then fails with 500:
     *                               a failure that could not be kept must not look like a normal 502)
     */
    public void keep(Exchange exchange) {
        Deployment deployment = exchange.getProperty(Deployment.PROPERTY, Deployment.class);
        List<String> delivered = deployment.deliveries().stream().filter(DeliveryOutcome::delivered)
                .map(DeliveryOutcome::target).toList();
        List<DeliveryOutcome> missing = deployment.deliveries().stream().filter(d -> !d.delivered()).toList();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        try (Connection connection = ledger.connection()) {
            Sql.update(connection, "INSERT INTO dead_letter (dead_letter_id, created_at, updated_at, policy_id, version, "
                    + "revision, policy_sha256, idempotency_key, source, actor, delivered, missing, retries) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)", deployment.id(), now, now, deployment.policyId(),
                    deployment.version(), deployment.revision(), deployment.policySha256(), deployment.idempotencyKey(),
                    deployment.source().name(), deployment.actor(), mapper.writeValueAsString(delivered),
                    mapper.writeValueAsString(missing));
        } catch (SQLException | IOException e) {
            throw new IllegalStateException("dead letter " + deployment.id() + " could not be stored: " + e.getMessage(), e);
        }
        exchange.setProperty(ID_PROPERTY, deployment.id());
        Log.warnf("deployment %s: kept as dead letter %s; missing at %s", deployment.id(), deployment.id(),
                missing.stream().map(DeliveryOutcome::target).toList());
    }

    /** @return how many dead letters are kept, or -1 if the database cannot say */
    public long count() {
        try (Connection connection = ledger.connection()) {
            return Sql.queryOne(connection, "SELECT COUNT(*) FROM dead_letter", row -> row.getLong(1)).orElse(0L);
        } catch (SQLException e) {
            return -1;
        }
    }

    /** @return every dead letter, oldest first */
    public List<DeadLetter> list() {
        return select(" ORDER BY created_at, dead_letter_id", null);
    }

    /** @return the dead letter, or empty when there is none with this id or the id is malformed */
    public Optional<DeadLetter> find(String id) {
        if (!isValidId(id)) {
            return Optional.empty();
        }
        return select(" WHERE dead_letter_id = ?", id).stream().findFirst();
    }

    private List<DeadLetter> select(String where, String id) {
        try (Connection connection = ledger.connection()) {
            return Sql.query(connection, "SELECT dead_letter_id, created_at, updated_at, policy_id, version, revision, "
                    + "policy_sha256, idempotency_key, source, actor, delivered, missing, retries FROM dead_letter" + where,
                    this::entryOf, id == null ? new Object[0] : new Object[] {id});
        } catch (SQLException e) {
            throw new IllegalStateException("dead letters cannot be read: " + e.getMessage(), e);
        }
    }

    private DeadLetter entryOf(ResultSet row) throws SQLException {
        String policyId = row.getString(4);
        int revision = row.getInt(6);
        try {
            return new DeadLetter(row.getString(1), Sql.time(row, 2), Sql.time(row, 3), policyId, row.getString(5),
                    row.getString(7), row.getString(9), row.getString(10),
                    mapper.readValue(row.getString(11), new TypeReference<List<String>>() { }),
                    mapper.readValue(row.getString(12), new TypeReference<List<DeliveryOutcome>>() { }),
                    row.getInt(13), ledger.packages(policyId, revision).stream().map(DeadLetter.StoredPackage::of).toList(),
                    revision, row.getString(8));
        } catch (IOException e) {
            throw new SQLException("dead letter " + row.getString(1) + " holds unreadable JSON", e);
        }
    }

    /**
     * Claims {@code id} for one retry or discard at a time.
     *
     * @return {@code false} if another is already running (the caller answers 409)
     */
    public boolean claim(String id) {
        return retrying.add(id);
    }

    /** Ends what {@link #claim(String)} began, whatever the outcome. */
    public void release(String id) {
        retrying.remove(id);
    }

    /**
     * First step of the {@code dead-letter-retry} route: from the {@value #ENTRY_PROPERTY} entry,
     * a new deployment (its own id, so it gets its own final audit record) carrying the kept
     * packages and the same policy SHA-256, hence the same {@code Idempotency-Key}. Targets that
     * are no longer enabled are recorded as failed at once. {@value #ACTOR_PROPERTY} names who asked.
     */
    public void beginRetry(Exchange exchange) {
        DeadLetter entry = exchange.getProperty(ENTRY_PROPERTY, DeadLetter.class);
        String actor = exchange.getProperty(ACTOR_PROPERTY, "anonymous", String.class);
        Deployment deployment = new Deployment(Source.HTTP, actor,
                "retry of dead letter " + entry.id() + " (policy first received via " + Source.valueOf(entry.source()).label()
                        + " from " + entry.actor() + ")", null);
        deployment.identify(entry.policyId(), entry.version());
        deployment.policySha256(entry.policySha256());
        entry.packages().forEach(p -> deployment.addPackage(p.toPackage()));
        deployment.admit(entry.revision(), entry.key(), entry.missing().stream().map(DeliveryOutcome::target).toList());
        exchange.setProperty(Deployment.PROPERTY, deployment);
        exchange.setProperty(ID_PROPERTY, entry.id());
        Set<String> enabled = new LinkedHashSet<>(targetDelivery.enabledTargets().stream().map(DeliveryTarget::name).toList());
        for (DeliveryOutcome missing : entry.missing()) {
            if (!enabled.contains(missing.target())) {
                deployment.addDelivery(new DeliveryOutcome(missing.target(), DeliveryOutcome.FAILED, null, 0,
                        "target is no longer configured or enabled"));
            }
        }
        Log.infof("deployment %s: retrying dead letter %s (policy %s) for %s", deployment.id(), entry.id(),
                entry.policyId(), entry.missing().stream().map(DeliveryOutcome::target).toList());
    }

    /** The split of a retry: the enabled targets the dead letter's package has not reached. */
    public List<DeliveryTarget> targetsToRetry(Exchange exchange) {
        DeadLetter entry = exchange.getProperty(ENTRY_PROPERTY, DeadLetter.class);
        Set<String> missing = new LinkedHashSet<>(entry.missing().stream().map(DeliveryOutcome::target).toList());
        return targetDelivery.enabledTargets().stream().filter(t -> missing.contains(t.name())).toList();
    }

    /**
     * After a retry's deliveries: removes the dead letter when every target has the package,
     * otherwise records the targets still missing and their new errors.
     */
    public void settle(Exchange exchange) {
        DeadLetter entry = exchange.getProperty(ENTRY_PROPERTY, DeadLetter.class);
        Deployment deployment = exchange.getProperty(Deployment.PROPERTY, Deployment.class);
        Set<String> delivered = new LinkedHashSet<>(entry.delivered());
        List<DeliveryOutcome> stillMissing = new ArrayList<>();
        for (DeliveryOutcome outcome : deployment.deliveries()) {
            if (outcome.delivered()) {
                delivered.add(outcome.target());
            } else {
                stillMissing.add(outcome);
            }
        }
        try (Connection connection = ledger.connection()) {
            if (stillMissing.isEmpty()) {
                Sql.update(connection, "DELETE FROM dead_letter WHERE dead_letter_id = ?", entry.id());
                Log.infof("dead letter %s settled: every target has policy %s", entry.id(), entry.policyId());
                return;
            }
            Sql.update(connection, "UPDATE dead_letter SET updated_at = ?, delivered = ?, missing = ?, retries = retries + 1 "
                    + "WHERE dead_letter_id = ?", Instant.now().truncatedTo(ChronoUnit.MILLIS),
                    mapper.writeValueAsString(List.copyOf(delivered)), mapper.writeValueAsString(stillMissing), entry.id());
        } catch (SQLException | IOException e) {
            throw new IllegalStateException("dead letter " + entry.id() + " could not be updated: " + e.getMessage(), e);
        }
    }

    /**
     * The {@code dead-letter-discard} route: deletes the {@value #ENTRY_PROPERTY} entry and sets up
     * its audit record (step {@value #DISCARDED_STEP}, the original deployment's id).
     */
    public void discard(Exchange exchange) throws SQLException {
        DeadLetter entry = exchange.getProperty(ENTRY_PROPERTY, DeadLetter.class);
        String actor = exchange.getProperty(ACTOR_PROPERTY, "anonymous", String.class);
        try (Connection connection = ledger.connection()) {
            Sql.update(connection, "DELETE FROM dead_letter WHERE dead_letter_id = ?", entry.id());
        }
        Deployment deployment = new Deployment(entry.id(), Source.HTTP, actor, "dead-letter api", null);
        deployment.identify(entry.policyId(), entry.version());
        exchange.setProperty(Deployment.PROPERTY, deployment);
        exchange.setProperty(AuditSnapshot.DETAIL_PROPERTY, "dead letter " + entry.id() + " discarded; policy "
                + entry.policyId() + " (Idempotency-Key " + entry.key() + ") never reached "
                + entry.missing().stream().map(DeliveryOutcome::target).toList());
        Log.warnf("dead letter %s discarded: policy %s never reached %s", entry.id(), entry.policyId(),
                entry.missing().stream().map(DeliveryOutcome::target).toList());
    }
}
