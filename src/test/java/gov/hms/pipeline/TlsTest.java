package gov.hms.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import gov.hms.pipeline.support.PipelineTestResources;
import gov.hms.pipeline.support.TlsTestResources;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;

/** HTTPS from a configured key store; the client trusts exactly that certificate. */
@QuarkusTest
@QuarkusTestResource(value = TlsTestResources.class, restrictToAnnotatedClass = true)
class TlsTest {

    @TestHTTPResource(value = "/api/policies", tls = true)
    URL policies;

    @Test
    void deploysOverHttpsWithTheConfiguredCertificate() throws Exception {
        PipelineTestResources.healthySystems();
        KeyStore serverStore = KeyStore.getInstance("PKCS12");
        try (var in = java.nio.file.Files.newInputStream(PipelineTestResources.dataDir().resolve("server.p12"))) {
            serverStore.load(in, TlsTestResources.PASSWORD.toCharArray());
        }
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("server", (X509Certificate) serverStore.getCertificate("server"));
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, factory.getTrustManagers(), null);

        assertThat(policies.getProtocol()).isEqualTo("https");
        HttpResponse<String> response = HttpClient.newBuilder().sslContext(tls).build().send(
                HttpRequest.newBuilder(URI.create(policies.toString().replace("127.0.0.1", "localhost")))
                        .timeout(Duration.ofSeconds(60))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"tls-1\",\"title\":\"t\",\"content\":\"c\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(new ObjectMapper().readTree(response.body()).path("status").asText()).isEqualTo("success");
    }
}
