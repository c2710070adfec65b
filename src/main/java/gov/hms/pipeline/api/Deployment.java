package gov.hms.pipeline.api;

import com.fasterxml.jackson.databind.JsonNode;
import gov.hms.pipeline.packaging.PolicyPackage;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The state of one deployment as it moves through the deploy route, carried as the exchange
 * property {@value #PROPERTY}. Ingress routes create it from what they know of the caller; the
 * beans of each step fill in the rest. Only this object (never an inbound header) says who sent
 * the policy and from where.
 */
public final class Deployment {

    /** Exchange property that holds the deployment. */
    public static final String PROPERTY = "deployment";

    private final String id;
    private final long startedNanos = System.nanoTime();
    private final Source source;
    private final String actor;
    private final String origin;
    private final String declaredContentType;
    private final String reason;

    private volatile String signature;
    private volatile boolean dryRun;
    private volatile String targetGroup;
    private volatile String signerKeyId;
    private volatile JsonNode policy;
    private volatile String policyId;
    private volatile String version;
    private volatile String policySha256;
    private volatile Integer replayRevision;
    private volatile Integer revision;
    private volatile String idempotencyKey;
    private volatile List<String> owedNotificationTargets;
    private volatile List<String> targetNames;
    private volatile java.time.Instant activateAt;
    private volatile String intentKey;
    private volatile boolean respondAsync;
    private final Map<String, PolicyPackage> packages = new ConcurrentHashMap<>();
    private final List<DeliveryOutcome> deliveries = new CopyOnWriteArrayList<>();
    private final List<NotificationOutcome> notifications = new CopyOnWriteArrayList<>();

    /**
     * @param source              where the policy came in
     * @param actor               who sent it (principal, file owner, JMS user), or {@code anonymous}
     * @param origin              a short human description of where exactly (client address, file, queue)
     * @param declaredContentType the media type the sender declared, or {@code null} if the transport has none
     */
    public Deployment(Source source, String actor, String origin, String declaredContentType) {
        this(UUID.randomUUID().toString(), source, actor, origin, declaredContentType);
    }

    /**
     * A deployment known by an id given earlier, for work that continues it outside the deploy
     * route (a notification sent from the outbox after a restart): its audit records keep that id.
     *
     * @param id a deployment id this service generated (a UUID)
     */
    public Deployment(String id, Source source, String actor, String origin, String declaredContentType) {
        this(id, source, actor, origin, declaredContentType, null);
    }

    /**
     * An operator's deployment of an archived revision (a rollback or a sync): no body is parsed,
     * the ledger supplies the policy and its packages as first built.
     *
     * @param revision the ledger revision to make live again
     * @param reason   why, in the operator's words (audited)
     */
    public static Deployment replaying(Source source, String actor, String origin, int revision, String reason) {
        Deployment deployment = new Deployment(UUID.randomUUID().toString(), source, actor, origin, null, reason);
        deployment.replayRevision = revision;
        return deployment;
    }

    /**
     * A scheduled activation that has come due (docs/scheduling.md): it continues the deployment
     * that scheduled it, under the same id, replaying the revision stored when it was scheduled.
     *
     * @param id        the scheduled deployment's id (the {@code Location} its caller was given)
     * @param revision  the revision stored at scheduling
     * @param intentKey its {@code Idempotency-Key}: the policy SHA-256 for new content, else the deployment id
     */
    public static Deployment activating(String id, Source source, String actor, String origin, int revision,
            String intentKey) {
        Deployment deployment = new Deployment(id, source, actor, origin, null, null);
        deployment.replayRevision = revision;
        deployment.intentKey = intentKey;
        return deployment;
    }

    private Deployment(String id, Source source, String actor, String origin, String declaredContentType, String reason) {
        this.reason = reason;
        this.id = id;
        this.source = source;
        this.actor = actor == null || actor.isBlank() ? "anonymous" : actor;
        this.origin = origin;
        this.declaredContentType = declaredContentType;
    }

    public String id() { return id; }
    public Source source() { return source; }
    public String actor() { return actor; }
    public String origin() { return origin; }
    public String declaredContentType() { return declaredContentType; }
    public long startedNanos() { return startedNanos; }

    /** The detached JWS (RFC 7515 appendix F) the sender attached, or {@code null}. */
    public String signature() { return signature; }

    /** Set by an ingress route from its transport's signature carrier (header, sidecar file, property). */
    public Deployment signature(String detachedJws) {
        this.signature = detachedJws == null || detachedJws.isBlank() ? null : detachedJws.trim();
        return this;
    }

    /** The group of targets this deployment is for ({@code ?targets=group:<label>}), or {@code null} for every target. */
    public String targetGroup() { return targetGroup; }

    /** Set by an ingress route: deliver only to the enabled targets labelled {@code group}. */
    public Deployment targetGroup(String group) {
        this.targetGroup = group;
        return this;
    }

    /** Whether this deployment only validates and packages, delivering nothing. */
    public boolean dryRun() { return dryRun; }

    public Deployment dryRun(boolean dryRun) {
        this.dryRun = dryRun;
        return this;
    }

    /** The {@code kid} of the key that verified the signature, or {@code null} if unsigned. */
    public String signerKeyId() { return signerKeyId; }

    public void signerKeyId(String keyId) { this.signerKeyId = keyId; }

    /** The operator's reason for a rollback or sync, or {@code null}. */
    public String reason() { return reason; }

    /** Whether this deployment re-delivers an archived revision instead of a received policy. */
    public boolean replay() { return replayRevision != null; }

    /** Whether this deployment withdraws its policy: it delivers a tombstone (docs/scheduling.md), not a received policy. */
    public boolean withdrawal() { return source == Source.WITHDRAWAL; }

    /**
     * An operator's withdrawal of a policy: the tombstone is built by the deploy route.
     *
     * @param reason why, in the operator's words (audited, and in the tombstone)
     */
    public static Deployment withdrawing(String id, String policyId, String actor, String origin, String reason) {
        Deployment deployment = new Deployment(id, Source.WITHDRAWAL, actor, origin, null, reason);
        deployment.identify(policyId, null);
        return deployment;
    }

    /** The archived revision a replay makes live, or {@code null}. */
    public Integer replayRevision() { return replayRevision; }

    /** The ledger revision this deployment makes live, once admitted; {@code null} before. */
    public Integer revision() { return revision; }

    /**
     * The {@code Idempotency-Key} every request of this deployment carries: one key per intent to
     * make content live (docs/ledger.md); {@code null} before admission.
     */
    public String idempotencyKey() { return idempotencyKey; }

    /**
     * Set by the ledger's admission.
     *
     * @param revision       the revision this deployment makes live
     * @param idempotencyKey its intent's key
     * @param targetNames    the targets that do not have that revision yet (the ones to deliver to)
     */
    public void admit(int revision, String idempotencyKey, List<String> targetNames) {
        this.revision = revision;
        this.idempotencyKey = idempotencyKey;
        this.targetNames = List.copyOf(targetNames);
    }

    /**
     * Set by the ledger's admission when this deployment delivers nothing but carries on an intent
     * whose notification round never ran (a crash cut it off after its targets took the package):
     * this deployment runs that round.
     *
     * @param targetsReached the targets that have the revision, named in the event's {@code targets}
     */
    public void owesNotification(List<String> targetsReached) {
        this.owedNotificationTargets = List.copyOf(targetsReached);
    }

    /** Whether this deployment runs the notification round of an intent cut off before it ({@link #owesNotification}). */
    public boolean notificationOwed() { return owedNotificationTargets != null; }

    /** The targets an owed round names as reached; empty unless {@link #notificationOwed()}. */
    public List<String> owedNotificationTargets() {
        return owedNotificationTargets == null ? List.of() : owedNotificationTargets;
    }

    /**
     * The {@code Idempotency-Key} a replay keeps instead of a new one: set for a scheduled activation
     * (its intent began when it was scheduled); {@code null} for a rollback or sync.
     */
    public String intentKey() { return intentKey; }

    /**
     * The instant a policy's {@code activateAt} names, when it is later than the policy's receipt
     * (the deployment is then scheduled, not delivered); {@code null} for an immediate deployment.
     */
    public java.time.Instant activateAt() { return activateAt; }

    public void activateAt(java.time.Instant instant) { this.activateAt = instant; }

    /** Whether the caller asked to be answered before the deployment ends ({@code Prefer: respond-async}, RFC 7240). */
    public boolean respondAsync() { return respondAsync; }

    public Deployment respondAsync(boolean respondAsync) {
        this.respondAsync = respondAsync;
        return this;
    }

    /** The targets this deployment delivers to, by name; {@code null} before admission. */
    public List<String> targetNames() { return targetNames; }

    public JsonNode policy() { return policy; }
    public String policyId() { return policyId; }
    public String version() { return version; }
    public String policySha256() { return policySha256; }

    /** Records the parsed policy; its id is kept only once validation has proven it safe. */
    public void policy(JsonNode policy) { this.policy = policy; }

    public void identify(String policyId, String version) {
        this.policyId = policyId;
        this.version = version;
    }

    public void policySha256(String sha256) { this.policySha256 = sha256; }

    public void addPackage(PolicyPackage policyPackage) { packages.put(policyPackage.format(), policyPackage); }

    /** The package in the given format ({@code json} or {@code zip}), or {@code null}. */
    public PolicyPackage packageIn(String format) { return packages.get(format); }

    /** Every package produced for this deployment, ordered by format. */
    public List<PolicyPackage> packages() {
        return packages.values().stream().sorted(java.util.Comparator.comparing(PolicyPackage::format)).toList();
    }

    public void addDelivery(DeliveryOutcome outcome) { deliveries.add(outcome); }

    /** Targets are delivered to in parallel; their outcomes are listed by target name. */
    public List<DeliveryOutcome> deliveries() {
        return deliveries.stream().sorted(java.util.Comparator.comparing(DeliveryOutcome::target)).toList();
    }

    public void addNotification(NotificationOutcome outcome) { notifications.add(outcome); }

    /** Notifications run in parallel; they are listed by subscriber name. */
    public List<NotificationOutcome> notifications() {
        return notifications.stream().sorted(java.util.Comparator.comparing(NotificationOutcome::subscriber)).toList();
    }
}
