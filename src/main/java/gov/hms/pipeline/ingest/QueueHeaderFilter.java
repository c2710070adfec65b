package gov.hms.pipeline.ingest;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.component.jms.JmsConstants;
import org.apache.camel.spi.HeaderFilterStrategy;

/**
 * Header filter of the {@code jms} component (bean {@code queueHeaderFilter}).
 * <ul>
 * <li>Inbound: every message property is filtered, whatever its name or letter case
 * ({@code cAMELhTTPuRI}, {@code CAMELFILENAME}, {@code approvedBy}…), so none becomes a Camel
 * header. {@link QueueIngress#admit} reads the few it needs from the JMS message itself.</li>
 * <li>Outbound: only the dead-letter properties and {@code JMSCorrelationID} that
 * {@link QueueIngress} sets are written (exact names); anything else on the Camel message is not.</li>
 * </ul>
 */
@ApplicationScoped
@Named("queueHeaderFilter")
public class QueueHeaderFilter implements HeaderFilterStrategy {

    static final Set<String> OUTBOUND = Set.of(
            JmsConstants.JMS_HEADER_CORRELATION_ID,
            QueueIngress.FAILURE_REASON,
            QueueIngress.FAILURE_STATUS,
            QueueIngress.DEPLOYMENT_ID,
            QueueIngress.ORIGINAL_MESSAGE_ID,
            QueueIngress.DELIVERY_ATTEMPTS);

    /** Outbound (Camel header to JMS property): {@code true} = not written. */
    @Override
    public boolean applyFilterToCamelHeaders(String headerName, Object headerValue, Exchange exchange) {
        return !OUTBOUND.contains(headerName);
    }

    /** Inbound (JMS property to Camel header): always filtered. */
    @Override
    public boolean applyFilterToExternalHeaders(String headerName, Object headerValue, Exchange exchange) {
        return true;
    }
}
