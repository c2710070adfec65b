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
    private volatile boolean skipsDuplicates;

    private volatile String signature;
    private volatile boolean dryRun;
    private volatile String signerKeyId;
    private volatile JsonNode policy;
    private volatile String policyId;
    private volatile String version;
    private volatile String policySha256;
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

    /** Whether this deployment only validates and packages, delivering nothing. */
    public boolean dryRun() { return dryRun; }

    public Deployment dryRun(boolean dryRun) {
        this.dryRun = dryRun;
        return this;
    }

    /** The {@code kid} of the key that verified the signature, or {@code null} if unsigned. */
    public String signerKeyId() { return signerKeyId; }

    public void signerKeyId(String keyId) { this.signerKeyId = keyId; }

    /**
     * Asks {@code direct:deploy} to skip a policy that was already deployed successfully for a source
     * that asked the same (same SHA-256 of its RFC 8785 canonical JSON), and to remember this one once
     * it succeeds. The inbox asks for it; HTTP and the Java API do not.
     *
     * @return this deployment
     */
    public Deployment skippingDuplicates() {
        this.skipsDuplicates = true;
        return this;
    }

    /** Whether {@link #skippingDuplicates()} was asked for. */
    public boolean skipsDuplicates() { return skipsDuplicates; }

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

    public List<DeliveryOutcome> deliveries() { return List.copyOf(deliveries); }

    public void addNotification(NotificationOutcome outcome) { notifications.add(outcome); }

    /** Notifications run in parallel; they are listed by subscriber name. */
    public List<NotificationOutcome> notifications() {
        return notifications.stream().sorted(java.util.Comparator.comparing(NotificationOutcome::subscriber)).toList();
    }
}
