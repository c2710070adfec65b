package gov.hms.pipeline.service;

import io.quarkus.logging.LoggingFilter;
import java.util.logging.Filter;
import java.util.logging.LogRecord;
import org.jboss.logmanager.ExtLogRecord;

/**
 * Drops the one log line at start-up that says nothing an operator can act on: Micrometer's
 * "This Gauge has been already registered (MeterId{name='netty.eventexecutor.workers'...})" WARN, which
 * Quarkus 3.31's Netty binder causes by registering that gauge twice (quarkusio/quarkus#52014, open; the
 * second registration is ignored and the gauge works). Nothing else is filtered: any other duplicate meter
 * would be a real fault and still shows. Remove this class once the Quarkus version in use has the fix.
 * Installed on the console handler by {@code quarkus.log.console.filter}.
 */
@LoggingFilter(name = KnownNoiseFilter.NAME)
public final class KnownNoiseFilter implements Filter {

    public static final String NAME = "known-noise";

    static final String LOGGER = "io.micrometer.core.instrument.MeterRegistry";
    static final String GAUGE = "netty.eventexecutor.workers";

    @Override
    public boolean isLoggable(LogRecord record) {
        if (!LOGGER.equals(record.getLoggerName())) {
            return true;
        }
        String message = record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
        return message == null || !(message.contains("already registered") && message.contains("'" + GAUGE + "'"));
    }
}
