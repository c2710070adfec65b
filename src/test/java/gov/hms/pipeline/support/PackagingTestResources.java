package gov.hms.pipeline.support;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Two live targets on one WireMock server, {@value #JSON_TARGET} wanting {@code json} and
 * {@value #ZIP_TARGET} wanting {@code zip}; package signing on with a fresh Ed25519 key (a
 * private JWK in a temporary file, owner-only); a small {@code pipeline.packaging.max-bytes}
 * ({@value #MAX_BYTES}); the audit log, registry and package archive in a fresh temporary folder.
 * <p>
 * It runs after {@link PipelineTestResources} ({@link #order()}), whose annotation is global,
 * and overrides what that one sets: its target and subscribers are switched off here.
 */
public class PackagingTestResources implements QuarkusTestResourceLifecycleManager {

    public static final String JSON_TARGET = "plain";
    public static final String ZIP_TARGET = "bundle";
    public static final String KEY_ID = "pipeline-test-ed25519";
    public static final int MAX_BYTES = 16_384;

    private static WireMockServer server;
    private static Path dataDir;

    @Override
    public Map<String, String> start() {
        server = PipelineTestResources.startLoopbackWireMock();
        Map<String, String> config = new HashMap<>();
        try {
            dataDir = Files.createTempDirectory("pipeline-packaging-test-");
            OctetKeyPair key = new OctetKeyPairGenerator(Curve.Ed25519).keyID(KEY_ID).generate();
            Path keyFile = Files.createFile(dataDir.resolve("signing-key.jwk"),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(keyFile, key.toJSONString());
            config.put("pipeline.packaging.signing-key", keyFile.toString());
        } catch (Exception e) {
            throw new IllegalStateException("cannot prepare the packaging test", e);
        }
        String base = "http://127.0.0.1:" + server.port();
        for (String name : List.of("registry", "live")) {
            config.put("pipeline.targets." + name + ".url", base + "/unused");
            config.put("pipeline.targets." + name + ".enabled", "false");
        }
        for (String name : List.of("events", "scheduling", "records")) {
            config.put("pipeline.subscribers." + name + ".url", base + "/unused");
            config.put("pipeline.subscribers." + name + ".enabled", "false");
        }
        config.put("pipeline.targets." + JSON_TARGET + ".url", base + "/json-target/packages");
        config.put("pipeline.targets." + JSON_TARGET + ".format", "json");
        config.put("pipeline.targets." + ZIP_TARGET + ".url", base + "/zip-target/packages");
        config.put("pipeline.targets." + ZIP_TARGET + ".format", "zip");
        config.put("pipeline.delivery.max-attempts", "2");
        config.put("pipeline.delivery.initial-delay", "50ms");
        config.put("pipeline.delivery.max-delay", "200ms");
        config.put("pipeline.packaging.max-bytes", Integer.toString(MAX_BYTES));
        config.put("quarkus.datasource.h2.jdbc.url", PipelineTestResources.h2Url(dataDir));
        config.put("pipeline.audit.file", auditFile().toString());
        config.put("pipeline.registry.dir", dataDir.resolve("registry").toString());
        return config;
    }

    @Override
    public int order() {
        return 100;
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop();
        }
    }

    /** Forgets earlier requests and scripts both targets healthy. */
    public static WireMockServer healthyTargets() {
        server.resetAll();
        server.stubFor(post(urlEqualTo("/json-target/packages")).willReturn(aResponse().withStatus(201)));
        server.stubFor(post(urlEqualTo("/zip-target/packages")).willReturn(aResponse().withStatus(201)));
        return server;
    }

    public static Path auditFile() {
        return dataDir.resolve("audit/audit.jsonl");
    }
}
