package gov.hms.pipeline.notification;

import gov.hms.pipeline.delivery.DeliveryTarget;
import java.time.Duration;
import java.util.Optional;

/**
 * One enabled subscriber, as configured under {@code pipeline.subscribers.<name>}.
 *
 * @param name   the configuration name
 * @param url    where CloudEvents are POSTed
 * @param secret Standard Webhooks signing secret ({@code whsec_<base64>}), if any; never logged
 */
public record NotificationSubscriber(String name, String url, Optional<String> secret) {

    /**
     * camel-http endpoint: always POST; non-2xx raised so the failure is recorded; the
     * notification timeouts ({@code pipeline.notification.connect-timeout}/{@code response-timeout})
     * so a silent subscriber frees its thread.
     */
    public String endpointUri(Duration connectTimeout, Duration responseTimeout) {
        return DeliveryTarget.endpointUri(url, connectTimeout, responseTimeout);
    }

    @Override
    public String toString() {
        return "NotificationSubscriber[name=" + name + ", url=" + url + ", signed=" + secret.isPresent() + "]";
    }
}
