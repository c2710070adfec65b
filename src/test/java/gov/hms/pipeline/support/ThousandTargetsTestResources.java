package gov.hms.pipeline.support;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * As {@link PipelineTestResources} (same subscribers and data folder), but the only targets are
 * {@value #TARGETS} targets {@code t0000} … {@code t0999}, all served by one WireMock server on its
 * own random port, each on its own random path ({@code /<uuid>}). Chosen at random (seeded, so a
 * failure can be replayed) among them:
 * <ul>
 * <li>{@value #EACH} <b>refusing</b>: their URL is a closed port of 127.0.0.1 (connection refused at once);</li>
 * <li>{@value #EACH} <b>hanging</b>: the stub answers after 60 s, so every attempt ends at the
 * response timeout ({@value #RESPONSE_TIMEOUT_SECONDS} s, the same for every target);</li>
 * <li>{@value #SLOW} <b>slow</b>: the stub answers 201 after {@value #SLOW_MILLIS} ms, within the timeout.</li>
 * </ul>
 * Every other path answers 201 at once (the stub's catch-all). Two attempts per target, 50 ms apart;
 * {@code pipeline.delivery.max-parallel} is the shipped default (16).
 */
public class ThousandTargetsTestResources extends PipelineTestResources {

    public static final int TARGETS = 1000;
    public static final int EACH = 5;
    public static final int SLOW = 10;
    public static final int SLOW_MILLIS = 5000;
    public static final int RESPONSE_TIMEOUT_SECONDS = 7;
    public static final long SEED = Long.getLong("thousand-targets.seed", 19L);

    private static WireMockServer stub;
    private static final Map<String, String> PATHS = new HashMap<>();
    private static final List<String> REFUSING = new ArrayList<>();
    private static final List<String> HANGING = new ArrayList<>();
    private static final List<String> SLOWS = new ArrayList<>();

    @Override
    protected Map<String, String> extraConfig(Path dataDir) {
        stub = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1")
                .containerThreads(64).asynchronousResponseEnabled(true).asynchronousResponseThreads(32));
        stub.start();
        int closedPort = freePort();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < TARGETS; i++) {
            names.add(String.format("t%04d", i));
        }
        List<String> shuffled = new ArrayList<>(names);
        Collections.shuffle(shuffled, new Random(SEED));
        PATHS.clear();
        REFUSING.clear();
        HANGING.clear();
        SLOWS.clear();
        REFUSING.addAll(shuffled.subList(0, EACH));
        HANGING.addAll(shuffled.subList(EACH, 2 * EACH));
        SLOWS.addAll(shuffled.subList(2 * EACH, 2 * EACH + SLOW));
        Map<String, String> config = new HashMap<>();
        config.put("pipeline.targets.live.enabled", "false");
        config.put("pipeline.delivery.max-attempts", "2");
        config.put("pipeline.delivery.initial-delay", "50ms");
        // The service's log in a file, for the progress lines.
        config.put("quarkus.log.file.enabled", "true");
        config.put("quarkus.log.file.path", serviceLog(dataDir).toString());
        for (String name : names) {
            String path = "/" + UUID.randomUUID();
            PATHS.put(name, path);
            String base = REFUSING.contains(name) ? "http://127.0.0.1:" + closedPort : "http://127.0.0.1:" + stub.port();
            config.put("pipeline.targets." + name + ".url", base + path);
            config.put("pipeline.targets." + name + ".connect-timeout", "1s");
            config.put("pipeline.targets." + name + ".response-timeout", RESPONSE_TIMEOUT_SECONDS + "s");
        }
        return config;
    }

    /** Forgets every request and scripts the stub: the catch-all 201, the slow and the hanging paths. */
    public static WireMockServer scriptTargets() {
        stub.resetAll();
        stub.stubFor(any(anyUrl()).atPriority(10).willReturn(aResponse().withStatus(201)));
        SLOWS.forEach(name -> stub.stubFor(post(urlEqualTo(PATHS.get(name))).atPriority(1)
                .willReturn(aResponse().withStatus(201).withFixedDelay(SLOW_MILLIS))));
        HANGING.forEach(name -> stub.stubFor(post(urlEqualTo(PATHS.get(name))).atPriority(1)
                .willReturn(aResponse().withStatus(201).withFixedDelay(60_000))));
        return stub;
    }

    /** Forgets every request; every path answers 201 at once. */
    public static WireMockServer allHealthy() {
        stub.resetAll();
        stub.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(201)));
        return stub;
    }

    /** The service's log file. */
    public static Path serviceLog(Path dataDir) {
        return dataDir.resolve("service.log");
    }

    public static String pathOf(String target) {
        return PATHS.get(target);
    }

    public static Map<String, String> paths() {
        return Map.copyOf(PATHS);
    }

    public static List<String> refusing() {
        return List.copyOf(REFUSING);
    }

    public static List<String> hanging() {
        return List.copyOf(HANGING);
    }

    public static List<String> slow() {
        return List.copyOf(SLOWS);
    }

    @Override
    public void stop() {
        if (stub != null) {
            stub.stop();
        }
        super.stop();
    }
}
