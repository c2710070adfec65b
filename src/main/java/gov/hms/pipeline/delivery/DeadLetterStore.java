package gov.hms.pipeline.delivery;

import com.fasterxml.jackson.databind.ObjectMapper;
import gov.hms.pipeline.api.DeliveryOutcome;
import gov.hms.pipeline.api.Deployment;
import gov.hms.pipeline.api.Source;
import gov.hms.pipeline.audit.AuditSnapshot;
import gov.hms.pipeline.config.PipelineConfig;
import gov.hms.pipeline.packaging.PolicyPackage;
import gov.hms.pipeline.storage.AtomicFiles;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.camel.Exchange;

/**
 * The dead-letter channel of deliveries: a durable store, one JSON file per failed deployment
 * under {@code pipeline.dead-letters.dir}, written atomically ({@link AtomicFiles}). The
 * {@code dead-letter*} routes keep, retry and discard entries; {@code /api/dead-letters}
 * ({@link DeadLetterResource}) lists them.
 * <p>
 * An id is a deployment id (a lower-case UUID) and is checked against {@link #ID} before it names a
 * file, so a request can never choose a path.
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

    private final Path dir;
    private final TargetDelivery targetDelivery;
    private final ObjectMapper mapper = new ObjectMapper();
    private final Set<String> retrying = ConcurrentHashMap.newKeySet();

    public DeadLetterStore(PipelineConfig config, TargetDelivery targetDelivery) {
        this.dir = config.deadLetters().dir();
        this.targetDelivery = targetDelivery;
    }

    /** Whether {@code id} is a well-formed dead-letter id (nothing else is ever looked up). */
    public static boolean isValidId(String id) {
        return id != null && ID.matcher(id).matches();
    }

    /**
     * Keeps the current deployment as a dead letter: its packages, the targets that have it and
     * those that don't with their last error. Sets {@value #ID_PROPERTY} for the answer.
     *
     * @throws UncheckedIOException if the store cannot be written (the deployment then fails with 500:
     *                              a failure that could not be kept must not look like a normal 502)
     */
    public synchronized void keep(Exchange exchange) {
        Deployment deployment = exchange.getProperty(Deployment.PROPERTY, Deployment.class);
        List<String> delivered = deployment.deliveries().stream().filter(DeliveryOutcome::delivered)
                .map(DeliveryOutcome::target).toList();
        List<DeliveryOutcome> missing = deployment.deliveries().stream().filter(d -> !d.delivered()).toList();
        List<DeadLetter.StoredPackage> packages = new ArrayList<>();
        for (String format : List.of(PolicyPackage.JSON, PolicyPackage.ZIP)) {
            Optional.ofNullable(deployment.packageIn(format)).map(DeadLetter.StoredPackage::of).ifPresent(packages::add);
        }
        String now = now();
        DeadLetter entry = new DeadLetter(deployment.id(), now, now, deployment.policyId(), deployment.version(),
                deployment.policySha256(), deployment.source().name(), deployment.actor(), delivered, missing, 0, packages);
        write(entry);
        exchange.setProperty(ID_PROPERTY, entry.id());
        Log.warnf("deployment %s: kept as dead letter %s; missing at %s", deployment.id(), entry.id(),
                missing.stream().map(DeliveryOutcome::target).toList());
    }

    /** @return how many dead letters are kept (files counted, none read) */
    public long count() {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(AtomicFiles::isStoredJson).count();
        } catch (IOException e) {
            return -1;
        }
    }

    /** @return every dead letter, oldest first */
    public List<DeadLetter> list() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(AtomicFiles::isStoredJson)
                    .map(this::read)
                    .flatMap(Optional::stream)
                    .sorted(Comparator.comparing(DeadLetter::createdAt).thenComparing(DeadLetter::id))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the dead letter, or empty when there is none with this id or the id is malformed */
    public Optional<DeadLetter> find(String id) {
        if (!isValidId(id)) {
            return Optional.empty();
        }
        Path file = fileOf(id);
        return Files.exists(file) ? read(file) : Optional.empty();
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
     * otherwise rewrites it with the targets still missing and their new errors.
     */
    public synchronized void settle(Exchange exchange) {
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
        Path file = fileOf(entry.id());
        try {
            if (stillMissing.isEmpty()) {
                Files.deleteIfExists(file);
                Log.infof("dead letter %s settled: every target has policy %s", entry.id(), entry.policyId());
            } else {
                write(new DeadLetter(entry.id(), entry.createdAt(), now(), entry.policyId(), entry.version(),
                        entry.policySha256(), entry.source(), entry.actor(), List.copyOf(delivered), stillMissing,
                        entry.retries() + 1, entry.packages()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The {@code dead-letter-discard} route: deletes the {@value #ENTRY_PROPERTY} entry and sets up
     * its audit record (step {@value #DISCARDED_STEP}, the original deployment's id).
     */
    public synchronized void discard(Exchange exchange) throws IOException {
        DeadLetter entry = exchange.getProperty(ENTRY_PROPERTY, DeadLetter.class);
        String actor = exchange.getProperty(ACTOR_PROPERTY, "anonymous", String.class);
        Files.deleteIfExists(fileOf(entry.id()));
        Deployment deployment = new Deployment(entry.id(), Source.HTTP, actor, "dead-letter api", null);
        deployment.identify(entry.policyId(), entry.version());
        exchange.setProperty(Deployment.PROPERTY, deployment);
        exchange.setProperty(AuditSnapshot.DETAIL_PROPERTY, "dead letter " + entry.id() + " discarded; policy "
                + entry.policyId() + " (Idempotency-Key " + entry.policySha256() + ") never reached "
                + entry.missing().stream().map(DeliveryOutcome::target).toList());
        Log.warnf("dead letter %s discarded: policy %s never reached %s", entry.id(), entry.policyId(),
                entry.missing().stream().map(DeliveryOutcome::target).toList());
    }

    private void write(DeadLetter entry) {
        try {
            AtomicFiles.write(fileOf(entry.id()), mapper.writeValueAsBytes(entry));
        } catch (IOException e) {
            throw new UncheckedIOException("dead letter " + entry.id() + " could not be written to " + dir, e);
        }
    }

    private Optional<DeadLetter> read(Path file) {
        try {
            return Optional.of(mapper.readValue(file.toFile(), DeadLetter.class));
        } catch (IOException e) {
            // A file that vanished meanwhile (settled, discarded) is simply gone; a torn one cannot be
            // (AtomicFiles), so anything else is worth a log line but must not hide the others.
            if (Files.exists(file)) {
                Log.errorf("dead letter file %s cannot be read: %s", file, e.getMessage());
            }
            return Optional.empty();
        }
    }

    private Path fileOf(String id) {
        if (!isValidId(id)) {
            throw new IllegalArgumentException("not a dead-letter id");
        }
        return dir.resolve(id + ".json");
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
    }
}
