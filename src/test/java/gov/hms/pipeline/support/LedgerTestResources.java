package gov.hms.pipeline.support;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The pipeline's world ({@link PipelineTestResources}) with a second live target, {@code standby}
 * at {@code /standby/packages} on the same WireMock server, and the embedded H2 ledger in the
 * temporary data folder.
 */
public class LedgerTestResources extends PipelineTestResources {

    public static final String STANDBY = "/standby/packages";

    @Override
    protected Map<String, String> extraConfig(Path dataDir) {
        Map<String, String> config = new HashMap<>();
        config.put("pipeline.targets.standby.url", "http://127.0.0.1:" + wireMock().port() + STANDBY);
        config.putAll(databaseConfig(dataDir));
        return config;
    }

    /** The ledger's datasource keys; the embedded H2 one by default. */
    protected Map<String, String> databaseConfig(Path dataDir) {
        return Map.of();
    }

    /** Both targets and both subscribers accept. */
    public static WireMockServer healthyTargets() {
        WireMockServer server = healthySystems();
        server.stubFor(post(urlEqualTo(STANDBY)).willReturn(aResponse().withStatus(201)));
        return server;
    }
}
