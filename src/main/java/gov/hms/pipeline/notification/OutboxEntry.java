package gov.hms.pipeline.notification;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One notification not yet taken by its subscriber, as kept in the outbox
 * ({@code <pipeline.notification.outbox-dir>/<id>.json}). Everything a later attempt needs is in it,
 * so an attempt after a restart sends exactly the same event with the same {@code webhook-id}.
 *
 * @param id            the entry's id (a UUID; also its file name)
 * @param subscriber    the configured subscriber name; its URL and secret are read at each attempt
 * @param webhookId     the Standard Webhooks {@code webhook-id}: {@code msg_<deploymentId>}, the same on every attempt
 * @param deploymentId  the deployment announced
 * @param policyId      the policy deployed
 * @param version       its version, if any
 * @param source        where the deployment came in ({@code Source} name), for the audit log
 * @param actor         who sent it, for the audit log
 * @param event         the CloudEvent, JSON text, byte for byte the body of every attempt
 * @param createdAt     when the entry was made, RFC 3339 UTC
 * @param attempts      attempts made so far
 * @param nextAttemptAt when the next attempt is due, RFC 3339 UTC
 * @param lastError     why the last attempt failed, if it did
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OutboxEntry(
        String id,
        String subscriber,
        String webhookId,
        String deploymentId,
        String policyId,
        String version,
        String source,
        String actor,
        String event,
        String createdAt,
        int attempts,
        String nextAttemptAt,
        String lastError) {

    /** This entry after one more failed attempt, next due at {@code nextAttemptAt}. */
    public OutboxEntry failedAttempt(String error, String nextAttemptAt) {
        return new OutboxEntry(id, subscriber, webhookId, deploymentId, policyId, version, source, actor, event,
                createdAt, attempts + 1, nextAttemptAt, error);
    }
}
