package gov.hms.pipeline.support;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * As {@link PipelineTestResources}, with HTTPS served from a PKCS#12 key store that the JDK's own
 * {@code keytool} makes for {@code localhost} (a self-signed certificate, as an operator would for a trial).
 */
public class TlsTestResources extends PipelineTestResources {

    public static final String PASSWORD = "test-store-secret";

    @Override
    protected Map<String, String> extraConfig(Path dataDir) {
        Path keyStore = dataDir.resolve("server.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        try {
            Process process = new ProcessBuilder(List.of(keytool, "-genkeypair", "-alias", "server", "-keyalg", "RSA",
                    "-keysize", "2048", "-validity", "2", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
                    "-storetype", "PKCS12", "-keystore", keyStore.toString(), "-storepass", PASSWORD))
                    .redirectErrorStream(true).start();
            if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("keytool failed: " + new String(process.getInputStream().readAllBytes()));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run keytool", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.http.ssl.certificate.key-store-file", keyStore.toString());
        config.put("quarkus.http.ssl.certificate.key-store-password", PASSWORD);
        config.put("quarkus.http.test-ssl-port", "0");
        config.put("quarkus.http.insecure-requests", "disabled");
        return config;
    }
}
