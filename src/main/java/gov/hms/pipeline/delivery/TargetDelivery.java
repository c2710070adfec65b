package gov.hms.pipeline.delivery;

import gov.hms.pipeline.api.DeliveryOutcome;
import gov.hms.pipeline.api.Deployment;
import gov.hms.pipeline.config.PipelineConfig;
import gov.hms.pipeline.metrics.PipelineMetrics;
import gov.hms.pipeline.packaging.PolicyPackage;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.processor.errorhandler.RedeliveryPolicy;

/**
 * Delivery of packages to the configured targets: which targets, the outbound request for each
 * (built from nothing but the package and the deployment, never from inbound headers), and the
 * record of what each target answered. The HTTP call itself is camel-http in the
 * {@code deliver-to-target} route; redelivery is Camel's error handler with
 * {@link #targetRedeliveryPolicy()}.
 */
@ApplicationScoped
@Named("targetDelivery")
public class TargetDelivery {

    /** Exchange property: the {@link DeliveryTarget} of the current split exchange. */
    public static final String TARGET = "target";
    /** Exchange property: the endpoint URI the current request goes to. */
    public static final String ENDPOINT_URI = "targetEndpointUri";
    /** Exchange property: requests sent to the current target so far, the first included. */
    public static final String ATTEMPTS = "deliveryAttempts";
    /** Exchange property: the {@link DeliveryOutcome} of the current target, for the audit. */
    public static final String OUTCOME = "deliveryOutcome";

    /**
     * Outbound header: one key per intent to make content live (the deployment ledger's rule,
     * docs/ledger.md), identical on every attempt and dead-letter retry of one deployment.
     */
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    public static final String POLICY_ID = "X-Policy-Id";
    /** Outbound header: SHA-256 (hex) of the package bytes in this request, so the target can check them. */
    public static final String PACKAGE_SHA256 = "X-Package-Sha256";

    private static final int BODY_EXCERPT = 200;
    /** A group label ({@code pipeline.targets.<name>.groups}, {@code /api/targets}): like a policy id, at most 64 characters. */
    public static final java.util.regex.Pattern GROUP = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    /** Failed targets the error text names; the rest are counted. */
    private static final int NAMED_FAILURES = 5;

    private final PipelineConfig config;
    private final PipelineMetrics metrics;
    private final ManagedTargets managedTargets;

    public TargetDelivery(PipelineConfig config, PipelineMetrics metrics, ManagedTargets managedTargets) {
        this.config = config;
        this.metrics = metrics;
        this.managedTargets = managedTargets;
    }

    /**
     * @return the enabled targets, configured ({@code pipeline.targets.*}) and managed at run time
     *         ({@code /api/targets}), ordered by name
     * @throws IllegalStateException if the managed targets cannot be read from the ledger
     */
    public List<DeliveryTarget> enabledTargets() {
        List<DeliveryTarget> targets = new ArrayList<>();
        for (Map.Entry<String, PipelineConfig.Target> entry : config.targets().entrySet()) {
            PipelineConfig.Target target = entry.getValue();
            if (target.enabled()) {
                targets.add(new DeliveryTarget(entry.getKey(), target.url(),
                        target.format().toLowerCase(Locale.ROOT), target.connectTimeout(), target.responseTimeout(),
                        HttpEndpoints.sharedPost(target.connectTimeout(), target.responseTimeout()),
                        HttpEndpoints.basicAuthorization(target.authUsername(), target.authPassword()),
                        target.groups().orElse(List.of())));
            }
        }
        try {
            for (ManagedTargets.ManagedTarget target : managedTargets.list()) {
                if (target.enabled() && !config.targets().containsKey(target.name())) {
                    targets.add(new DeliveryTarget(target.name(), target.url(), target.format(), target.connectTimeout(),
                            target.responseTimeout(), HttpEndpoints.sharedPost(target.connectTimeout(), target.responseTimeout()),
                            null, target.groups()));
                }
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("the targets managed at run time cannot be read: " + e.getMessage(), e);
        }
        targets.sort(Comparator.comparing(DeliveryTarget::name));
        return targets;
    }

    /**
     * @return the enabled targets this deployment is for: all of them, or those of the group it
     *         selected ({@link Deployment#targetGroup()}), ordered by name
     */
    public List<DeliveryTarget> enabledTargets(Deployment deployment) {
        String group = deployment == null ? null : deployment.targetGroup();
        return enabledTargets().stream().filter(t -> group == null || t.groups().contains(group)).toList();
    }

    /**
     * Turns the split exchange (body: a {@link DeliveryTarget}) into the request for that target:
     * the body becomes the package in the target's format and the only headers are
     * {@code Content-Type}, {@code X-Policy-Id}, {@code Idempotency-Key} and {@code X-Package-Sha256}.
     */
    public void prepareRequest(Exchange exchange) {
        DeliveryTarget target = exchange.getMessage().getBody(DeliveryTarget.class);
        Deployment deployment = exchange.getProperty(Deployment.PROPERTY, Deployment.class);
        PolicyPackage policyPackage = deployment.packageIn(target.format());
        if (policyPackage == null) {
            throw new IllegalStateException("target '" + target.name() + "' wants format '" + target.format()
                    + "', which this service does not produce");
        }
        exchange.setProperty(TARGET, target);
        exchange.setProperty(ENDPOINT_URI, target.endpointUri());
        exchange.setProperty(ATTEMPTS, 1);
        var message = exchange.getMessage();
        message.getHeaders().clear();
        message.setBody(policyPackage.bytes());
        message.setHeader(Exchange.CONTENT_TYPE, policyPackage.contentType());
        message.setHeader(POLICY_ID, deployment.policyId());
        message.setHeader(IDEMPOTENCY_KEY, deployment.idempotencyKey() == null ? deployment.policySha256()
                : deployment.idempotencyKey());
        message.setHeader(PACKAGE_SHA256, policyPackage.sha256());
        // The URL travels with the request: one shared endpoint serves every target (HttpEndpoints.sharedPost).
        message.setHeader(Exchange.HTTP_URI, target.url());
        if (target.authorization() != null) {
            message.setHeader("Authorization", target.authorization());
        }
        Log.debugf("deployment %s: delivering policy %s to target %s", deployment.id(), deployment.policyId(), target.name());
    }

    /** Counts a redelivery attempt (Camel calls it before each redelivery). */
    @Produces
    @Singleton
    @Named("countDeliveryAttempt")
    Processor countDeliveryAttempt() {
        return exchange -> {
            int attempts = exchange.getProperty(ATTEMPTS, 1, Integer.class) + 1;
            exchange.setProperty(ATTEMPTS, attempts);
            DeliveryTarget target = exchange.getProperty(TARGET, DeliveryTarget.class);
            Deployment deployment = exchange.getProperty(Deployment.PROPERTY, Deployment.class);
            // Camel clears the exception before onRedelivery runs; the caught one is kept as a property.
            Exception cause = exchange.getException() != null ? exchange.getException()
                    : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
            Log.warnf("deployment %s: target %s failed (%s), attempt %d of %d", deployment.id(), target.name(),
                    describeFailure(cause), attempts, config.delivery().maxAttempts());
        };
    }

    /**
     * {@code onExceptionOccurred} of a retryable HTTP failure, run before Camel computes the next
     * delay: when a 429 or 503 answer carries {@code Retry-After} (RFC 9110 section 10.2.3, seconds or
     * HTTP-date), that wait, capped at {@code pipeline.delivery.max-delay}, replaces the backoff for
     * this one redelivery through the {@link Exchange#REDELIVERY_DELAY} header, which
     * {@code RedeliveryErrorHandler.determineRedeliveryDelay} reads. The header lives on the failed
     * message only: Camel restores the original message before redelivering, so it is never sent.
     * Later backoff continues from this wait (times the multiplier, up to the cap).
     */
    @Produces
    @Singleton
    @Named("honourRetryAfter")
    Processor honourRetryAfter() {
        return exchange -> {
            exchange.getIn().removeHeader(Exchange.REDELIVERY_DELAY);
            Exception cause = exchange.getException() != null ? exchange.getException()
                    : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
            if (!(cause instanceof HttpOperationFailedException http)
                    || (http.getStatusCode() != 429 && http.getStatusCode() != 503)) {
                return;
            }
            RetryAfter.parse(RetryAfter.headerValue(http.getResponseHeaders()), Instant.now()).ifPresent(wait -> {
                Duration cap = config.delivery().maxDelay();
                Duration delay = wait.compareTo(cap) > 0 ? cap : wait;
                exchange.getIn().setHeader(Exchange.REDELIVERY_DELAY, delay.toMillis());
                DeliveryTarget target = exchange.getProperty(TARGET, DeliveryTarget.class);
                Log.infof("target %s answered %d with Retry-After %s: next attempt in %d ms", target == null ? "?" : target.name(),
                        http.getStatusCode(), RetryAfter.headerValue(http.getResponseHeaders()), delay.toMillis());
            });
        };
    }

    /** Records that the current target accepted the package. */
    public void delivered(Exchange exchange) {
        DeliveryTarget target = exchange.getProperty(TARGET, DeliveryTarget.class);
        Deployment deployment = exchange.getProperty(Deployment.PROPERTY, Deployment.class);
        Integer status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        DeliveryOutcome outcome = new DeliveryOutcome(target.name(), DeliveryOutcome.DELIVERED, status,
                exchange.getProperty(ATTEMPTS, 1, Integer.class), null);
        deployment.addDelivery(outcome);
        exchange.setProperty(OUTCOME, outcome);
        metrics.deliveryEnded(target.name(), outcome.attempts(), true);
        Log.debugf("deployment %s: target %s accepted policy %s (HTTP %s, %d attempt(s))", deployment.id(),
                target.name(), deployment.policyId(), status, outcome.attempts());
    }

    /** Records that the current target did not accept the package; the cause is the caught exception. */
    public void failed(Exchange exchange) {
        DeliveryTarget target = exchange.getProperty(TARGET, DeliveryTarget.class);
        Deployment deployment = exchange.getProperty(Deployment.PROPERTY, Deployment.class);
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        Integer status = cause instanceof HttpOperationFailedException http ? http.getStatusCode() : null;
        DeliveryOutcome outcome = new DeliveryOutcome(target == null ? "?" : target.name(), DeliveryOutcome.FAILED,
                status, exchange.getProperty(ATTEMPTS, 1, Integer.class), describeFailure(cause));
        deployment.addDelivery(outcome);
        exchange.setProperty(OUTCOME, outcome);
        metrics.deliveryEnded(outcome.target(), outcome.attempts(), false);
        Log.errorf("deployment %s: target %s did not accept policy %s after %d attempt(s): %s", deployment.id(),
                outcome.target(), deployment.policyId(), outcome.attempts(), outcome.error());
    }

    /**
     * Exchange property an ingress sets to {@code true} when its source will try this policy again by
     * itself if the deployment fails transiently (the inbox with attempts left, the queue with
     * redeliveries left): that source owns the retry, so no dead letter is kept for this attempt.
     */
    public static final String SOURCE_RETRIES = "sourceRetries";

    /**
     * The dead-letter rule (one owner for retries): some target lacks the package and the source will
     * not try again by itself (HTTP, the Java API, a last inbox attempt or queue delivery).
     */
    public boolean deadLetterDue(Exchange exchange) {
        return anyUndelivered(exchange) && !Boolean.TRUE.equals(exchange.getProperty(SOURCE_RETRIES, Boolean.class));
    }

    /** Whether some target took the package in this deployment (then subscribers are told, whatever the others did). */
    public boolean anyDelivered(Exchange exchange) {
        Deployment deployment = exchange.getProperty(Deployment.PROPERTY, Deployment.class);
        return deployment.deliveries().stream().anyMatch(DeliveryOutcome::delivered);
    }

    /**
     * The filter before the notification round: some target took the package in this deployment,
     * or this deployment runs the round of an intent a crash cut off before it ({@link Deployment#notificationOwed()}).
     */
    public boolean notificationRoundDue(Exchange exchange) {
        return anyDelivered(exchange) || exchange.getProperty(Deployment.PROPERTY, Deployment.class).notificationOwed();
    }

    /** Whether some target tried for this deployment does not have the package (the dead-letter case). */
    public boolean anyUndelivered(Exchange exchange) {
        Deployment deployment = exchange.getProperty(Deployment.PROPERTY, Deployment.class);
        return deployment.deliveries().stream().anyMatch(d -> !d.delivered());
    }

    /**
     * @throws DeliveryFailedException naming every target that does not have the package (and the
     *                                 dead letter it was kept as, if any), or when no target is
     *                                 enabled at all (nothing would go live)
     */
    public void requireAllDelivered(Exchange exchange) {
        Deployment deployment = exchange.getProperty(Deployment.PROPERTY, Deployment.class);
        if (deployment.deliveries().isEmpty() && deployment.notificationOwed()) {
            return; // every enabled target has the revision already
        }
        if (deployment.deliveries().isEmpty() && deployment.targetGroup() != null) {
            throw new DeliveryFailedException("Deploy failed: no enabled target is in group " + deployment.targetGroup());
        }
        if (deployment.deliveries().isEmpty()) {
            throw new DeliveryFailedException("Deploy failed: no enabled target is configured"
                    + " (set pipeline.targets.<name>.url)");
        }
        List<DeliveryOutcome> failed = deployment.deliveries().stream().filter(d -> !d.delivered()).toList();
        if (!failed.isEmpty()) {
            String deadLetter = exchange.getProperty(DeadLetterStore.ID_PROPERTY, String.class);
            // Of many failures the first few are named; every one is in deliveries and the ledger.
            throw new DeliveryFailedException("Deploy failed: " + failed.stream().limit(NAMED_FAILURES)
                    .map(d -> "target " + d.target() + ": " + d.error())
                    .collect(Collectors.joining("; "))
                    + (failed.size() > NAMED_FAILURES ? "; and " + (failed.size() - NAMED_FAILURES) + " more of "
                            + deployment.deliveries().size() + " targets" : "")
                    + (deadLetter == null ? "" : "; kept as dead letter " + deadLetter
                            + " (POST /api/dead-letters/" + deadLetter + "/retry)"));
        }
    }

    /**
     * Exponential backoff for targets: {@code pipeline.delivery.*}; {@code max-attempts} counts
     * the first request, so Camel's {@code maximumRedeliveries} is one less.
     */
    @Produces
    @Singleton
    @Named("targetRedeliveryPolicy")
    RedeliveryPolicy targetRedeliveryPolicy() {
        PipelineConfig.Delivery delivery = config.delivery();
        RedeliveryPolicy policy = new RedeliveryPolicy();
        policy.setMaximumRedeliveries(Math.max(0, delivery.maxAttempts() - 1));
        policy.setRedeliveryDelay(delivery.initialDelay().toMillis());
        policy.setUseExponentialBackOff(true);
        policy.setBackOffMultiplier(delivery.multiplier());
        policy.setMaximumRedeliveryDelay(delivery.maxDelay().toMillis());
        policy.setLogRetryAttempted(false);
        policy.setLogExhausted(false);
        policy.setLogStackTrace(false);
        return policy;
    }

    /** A short, secret-free description of why a request failed, naming the HTTP status and body excerpt. */
    public static String describeFailure(Throwable cause) {
        if (cause == null) {
            return "unknown error";
        }
        if (cause instanceof HttpOperationFailedException http) {
            String body = http.getResponseBody();
            String excerpt = body == null || body.isBlank() ? "" : ": " + excerpt(body);
            return "HTTP " + http.getStatusCode() + excerpt;
        }
        String message = cause.getMessage();
        return cause.getClass().getSimpleName() + (message == null ? "" : ": " + excerpt(message));
    }

    private static String excerpt(String text) {
        String oneLine = text.replaceAll("\\s+", " ").trim();
        return oneLine.length() > BODY_EXCERPT ? oneLine.substring(0, BODY_EXCERPT) + "…" : oneLine;
    }
}
