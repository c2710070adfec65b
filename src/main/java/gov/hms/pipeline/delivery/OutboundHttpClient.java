package gov.hms.pipeline.delivery;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.core5.util.TimeValue;

/**
 * Shapes the Apache HttpClient 5 behind camel-http for targets and subscribers. HttpClient's own
 * retry strategy is switched off: it silently resends on 503 and 429 (and some I/O errors),
 * which would hide attempts from the audit and double the load on a struggling target. All
 * redelivery is Camel's, counted and audited (see {@code targetRedeliveryPolicy}). An answer's body
 * is read up to an excerpt ({@link BoundedResponses}).
 * Installed with {@code camel.component.http.http-client-configurer=#outboundHttpClient} (and {@code https}).
 */
@ApplicationScoped
@Named("outboundHttpClient")
public class OutboundHttpClient implements HttpClientConfigurer {

    @Override
    public void configureHttpClient(HttpClientBuilder clientBuilder) {
        clientBuilder.disableAutomaticRetries();
        clientBuilder.disableRedirectHandling();
        clientBuilder.disableCookieManagement();
        // A pooled connection the other side closed, or one idle for long, is dropped before reuse
        // rather than failing the next request with a stale socket.
        clientBuilder.evictExpiredConnections();
        clientBuilder.evictIdleConnections(TimeValue.ofSeconds(30));
        BoundedResponses.install(clientBuilder);
    }
}
