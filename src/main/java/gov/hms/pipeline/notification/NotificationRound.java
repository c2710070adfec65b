package gov.hms.pipeline.notification;

import gov.hms.pipeline.api.Deployment;
import gov.hms.pipeline.api.NotificationOutcome;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The first attempts of one deployment's notifications, while its caller waits (exchange property
 * {@value #PROPERTY}, shared by the parallel split's exchanges). Outcomes reported before
 * {@link #close(Duration)} go into the answer; once the caller's bound has passed, the round is
 * closed, every subscriber still being tried shows as {@code pending}, and later outcomes go to
 * the audit log, the outbox and the deployment's record in the ledger.
 */
public final class NotificationRound {

    /** Exchange property that holds the round. */
    public static final String PROPERTY = "notificationRound";

    private final Deployment deployment;
    private final List<OutboxEntry> entries;
    private final Set<String> reported = new HashSet<>();
    private boolean closed;

    NotificationRound(Deployment deployment, List<OutboxEntry> entries) {
        this.deployment = deployment;
        this.entries = List.copyOf(entries);
    }

    /** The entries to try now, one per enabled subscriber. */
    public List<OutboxEntry> entries() {
        return entries;
    }

    /** Adds an outcome to the answer, unless the caller was already answered. */
    /** @return whether the outcome is in the deployment's answer ({@code false} once the round is closed) */
    synchronized boolean report(NotificationOutcome outcome) {
        if (closed) {
            return false;
        }
        if (reported.add(outcome.subscriber())) {
            deployment.addNotification(outcome);
        }
        return true;
    }

    /** Ends the round: subscribers without an outcome yet are {@code pending}. */
    synchronized void close(Duration bound) {
        if (closed) {
            return;
        }
        closed = true;
        for (OutboxEntry entry : entries) {
            if (!reported.contains(entry.subscriber())) {
                deployment.addNotification(new NotificationOutcome(entry.subscriber(), NotificationOutcome.PENDING, null,
                        "no answer within " + bound.toMillis() + " ms (pipeline.notification.timeout); still being tried"));
            }
        }
    }
}
