package gov.hms.pipeline.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import gov.hms.pipeline.api.DeliveryOutcome;
import gov.hms.pipeline.api.Deployment;
import gov.hms.pipeline.api.Source;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

/** The tallies behind the progress gauges, fed from many threads at once as the split does. */
class FanOutProgressTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final FanOutProgress progress = new FanOutProgress(registry);
    private final CamelContext camel = new DefaultCamelContext();

    @Test
    void gaugesCountEveryTargetOfRunningFanOutsFromManyThreadsAndFallToZeroAtTheEnd() throws Exception {
        Deployment deployment = new Deployment(Source.API, "tester", "test", null);
        deployment.identify("p", null);
        List<String> targets = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            targets.add("t" + i);
        }
        deployment.admit(1, "key", targets);
        Exchange main = exchange(deployment);
        progress.begin(main);
        assertThat(gauge("pending")).isEqualTo(1000);
        assertThat(registry.get("pipeline.fanout.deployments").gauge().value()).isEqualTo(1);

        ExecutorService pool = Executors.newFixedThreadPool(16);
        for (int i = 0; i < 1000; i++) {
            boolean delivered = i % 100 != 0;
            String target = targets.get(i);
            pool.execute(() -> {
                Exchange one = exchange(deployment);
                one.setProperty(TargetDelivery.OUTCOME, new DeliveryOutcome(target,
                        delivered ? DeliveryOutcome.DELIVERED : DeliveryOutcome.FAILED, delivered ? 201 : null, 1, null));
                progress.count(one);
            });
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        assertThat(gauge("delivered")).isEqualTo(990);
        assertThat(gauge("failed")).isEqualTo(10);
        assertThat(gauge("pending")).isZero();

        progress.end(main);
        assertThat(gauge("delivered")).isZero();
        assertThat(registry.get("pipeline.fanout.deployments").gauge().value()).isZero();
    }

    @Test
    void aDeliveryOutsideAFanOutIsNotCounted() {
        Deployment retry = new Deployment(Source.HTTP, "tester", "dead-letter retry", null);
        Exchange exchange = exchange(retry);
        exchange.setProperty(TargetDelivery.OUTCOME, new DeliveryOutcome("t", DeliveryOutcome.DELIVERED, 201, 1, null));
        progress.count(exchange);
        progress.report();
        assertThat(gauge("delivered")).isZero();
    }

    private Exchange exchange(Deployment deployment) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.setProperty(Deployment.PROPERTY, deployment);
        return exchange;
    }

    private double gauge(String state) {
        return registry.get("pipeline.fanout.targets").tag("state", state).gauge().value();
    }
}
