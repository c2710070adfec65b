package gov.hms.pipeline.support;

import java.util.HashMap;
import java.util.Map;

/**
 * {@link PipelineTestResources} plus the queue: the embedded broker with authentication on (the
 * service's own user and one sending system, {@value #SENDER}), two redeliveries with short
 * delays, and one HTTP attempt per delivery so every redelivery is one request to the target.
 */
public class QueueTestResources extends PipelineTestResources {

    public static final String QUEUE = "policies.approved";
    public static final String DLQ = QUEUE + ".DLQ";
    public static final String SENDER = "agency-a";
    public static final String SENDER_PASSWORD = "agency-a-Secret-7";
    public static final int MAX_REDELIVERIES = 2;
    public static final long REDELIVERY_DELAY_MS = 200;

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(super.start());
        config.put("pipeline.broker.user", "pipeline");
        config.put("pipeline.broker.password", "pipeline-Secret-3");
        config.put("pipeline.broker.senders." + SENDER + ".password", SENDER_PASSWORD);
        config.put("pipeline.queue.max-redeliveries", Integer.toString(MAX_REDELIVERIES));
        config.put("pipeline.queue.redelivery-delay", REDELIVERY_DELAY_MS + "ms");
        config.put("pipeline.queue.redelivery-multiplier", "2");
        config.put("pipeline.queue.max-redelivery-delay", "2s");
        config.put("pipeline.delivery.max-attempts", "1");
        return config;
    }
}
