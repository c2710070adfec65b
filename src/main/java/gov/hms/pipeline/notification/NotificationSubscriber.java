package gov.hms.pipeline.notification;

import gov.hms.pipeline.delivery.HttpEndpoints;
import java.util.Optional;

/**
 * One enabled subscriber, as configured under {@code pipeline.subscribers.<name>}.
 *
 * @param name   the configuration name
 * @param url    where CloudEvents are POSTed
 * @param secret      Standard Webhooks signing secret ({@code whsec_<base64>}), if any; never logged
 * @param endpointUri the camel-http endpoint (see {@link HttpEndpoints#post}); may hold a password
 */
public record NotificationSubscriber(String name, String url, Optional<String> secret, String endpointUri) {

    @Override
    public String toString() {
        return "NotificationSubscriber[name=" + name + ", url=" + url + ", signed=" + secret.isPresent() + "]";
    }
}
