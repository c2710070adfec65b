package gov.hms.pipeline.delivery;

import java.time.Duration;

/**
 * One enabled live system, as configured under {@code pipeline.targets.<name>} or added through
 * {@code /api/targets} ({@link ManagedTargets}).
 *
 * @param name            the configuration name, used in answers, logs and the audit log
 * @param url             where packages are POSTed
 * @param format          {@code json} or {@code zip}
 * @param connectTimeout  time allowed to connect
 * @param responseTimeout time allowed for the answer
 * @param endpointUri     the camel-http endpoint this target shares with every target of the same
 *                        timeouts (see {@link HttpEndpoints#sharedPost}); the URL goes with each request
 * @param authorization   the {@code Authorization} header the target expects (HTTP Basic), or {@code null};
 *                        never logged
 * @param groups          the labels a deployment may select it by ({@code ?targets=group:<label>})
 */
public record DeliveryTarget(String name, String url, String format, Duration connectTimeout, Duration responseTimeout,
                             String endpointUri, String authorization, java.util.List<String> groups) {

    /** Names the target without its credentials. */
    @Override
    public String toString() {
        return "DeliveryTarget[name=" + name + ", url=" + url + ", format=" + format + "]";
    }
}
