package gov.hms.pipeline.api;

import java.util.Collection;

/**
 * How many targets a deployment tried, and what became of them: the summary of its
 * {@code deliveries} (answer) or {@code targets} (ledger record), however many there are.
 *
 * @param targets   targets with an outcome
 * @param delivered of which accepted the package (2xx)
 * @param failed    of which were given up (kept in the deployment's dead letter, where one is kept)
 */
public record DeliveryCounts(int targets, int delivered, int failed) {

    /** @return the counts of these outcomes ({@code status} {@value DeliveryOutcome#DELIVERED} or not) */
    public static DeliveryCounts of(Collection<String> statuses) {
        int delivered = (int) statuses.stream().filter(DeliveryOutcome.DELIVERED::equals).count();
        return new DeliveryCounts(statuses.size(), delivered, statuses.size() - delivered);
    }
}
