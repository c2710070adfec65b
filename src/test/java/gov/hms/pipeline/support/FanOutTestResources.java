package gov.hms.pipeline.support;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import gov.hms.pipeline.notification.OutboxEntry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * As {@link PipelineTestResources}, with three more subscribers under {@code /fanout/<name>}:
 * {@code fast}, {@code slow} (both unsigned) and {@code signed} (with {@link #SIGNED_SECRET});
 * the caller waits at most 1 s for notifications, a subscriber answer at most 15 s.
 * <p>
 * A "previous run" of version 0.5.0: before Quarkus starts, a pending notification for
 * {@code signed} is left in the outbox folder exactly as 0.5.0 wrote it (one JSON file), one
 * attempt already made. Sending it proves the upgrade imports pending notifications into the
 * ledger and they survive a restart.
 * <p>
 * Every request WireMock receives is also kept in {@link #received()}, which survives the
 * WireMock resets between tests.
 */
public class FanOutTestResources extends PipelineTestResources {

    public static final String SIGNED_SECRET = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
    public static final String LEFT_OVER_DEPLOYMENT = "0f0f0f0f-1111-4222-8333-444444444444";
    public static final String LEFT_OVER_EVENT = "{\"specversion\":\"1.0\",\"id\":\"" + LEFT_OVER_DEPLOYMENT
            + "\",\"type\":\"gov.hms.policy.deployed\",\"subject\":\"policy-left-over\"}";

    private static final List<LoggedRequest> RECEIVED = new CopyOnWriteArrayList<>();

    @Override
    protected Map<String, String> extraConfig(Path dataDir) {
        RECEIVED.clear();
        wireMock().addMockServiceRequestListener((request, response) -> RECEIVED.add(LoggedRequest.createFrom(request)));
        wireMock().stubFor(post(urlPathMatching("/fanout/.*")).willReturn(aResponse().withStatus(204)));
        try {
            Files.createDirectories(dataDir.resolve("outbox"));
            Files.write(dataDir.resolve("outbox/5e5e5e5e-aaaa-4bbb-8ccc-dddddddddddd.json"), new ObjectMapper().writeValueAsBytes(new OutboxEntry("5e5e5e5e-aaaa-4bbb-8ccc-dddddddddddd",
                    "signed", "msg_" + LEFT_OVER_DEPLOYMENT, LEFT_OVER_DEPLOYMENT, "policy-left-over", null, "API",
                    "anonymous", LEFT_OVER_EVENT, Instant.now().toString(), 1, Instant.now().toString(), "HTTP 503")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String base = "http://127.0.0.1:" + wireMock().port();
        return Map.of(
                "pipeline.subscribers.fast.url", base + "/fanout/fast",
                "pipeline.subscribers.slow.url", base + "/fanout/slow",
                "pipeline.subscribers.signed.url", base + "/fanout/signed",
                "pipeline.subscribers.signed.secret", SIGNED_SECRET,
                "pipeline.subscribers.retiring.url", base + "/fanout/retiring",
                "pipeline.notification.timeout", "1s",
                "pipeline.notification.response-timeout", "15s",
                "pipeline.notification.retry-schedule", "300ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms");
    }

    /** Every request WireMock received since start, in order. */
    public static List<LoggedRequest> received() {
        return RECEIVED;
    }
}
