package gov.hms.pipeline.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.logging.Level;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.Test;

class KnownNoiseFilterTest {

    private final KnownNoiseFilter filter = new KnownNoiseFilter();

    @Test
    void dropsOnlyTheNettyWorkersGaugeWarning() {
        assertThat(filter.isLoggable(record(KnownNoiseFilter.LOGGER, "This Gauge has been already registered"
                + " (MeterId{name='netty.eventexecutor.workers', tags=[]}), the registration will be ignored."))).isFalse();
    }

    @Test
    void keepsAnyOtherDuplicateMeterAndEveryOtherLogger() {
        assertThat(filter.isLoggable(record(KnownNoiseFilter.LOGGER, "This Gauge has been already registered"
                + " (MeterId{name='pipeline.inbox.backlog', tags=[]}), the registration will be ignored."))).isTrue();
        assertThat(filter.isLoggable(record("gov.hms.pipeline.inbox.InboxFiles", "netty.eventexecutor.workers already registered")))
                .isTrue();
    }

    private static ExtLogRecord record(String logger, String message) {
        ExtLogRecord record = new ExtLogRecord(Level.WARNING, message, ExtLogRecord.FormatStyle.NO_FORMAT, KnownNoiseFilterTest.class.getName());
        record.setLoggerName(logger);
        return record;
    }
}
