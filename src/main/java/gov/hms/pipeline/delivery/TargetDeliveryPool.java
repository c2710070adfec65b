package gov.hms.pipeline.delivery;

import gov.hms.pipeline.config.PipelineConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.ThreadPoolProfile;
import org.apache.camel.util.concurrent.ThreadPoolRejectedPolicy;

/**
 * The threads that deliver packages to targets: the deploy route's split over targets runs on
 * them ({@code executorService: targetDeliveryExecutor}). Exactly {@code pipeline.delivery.max-parallel}
 * threads for the whole instance, so that many requests at most are in flight, whatever the number of
 * targets or of concurrent deployments; further targets wait in the queue (unbounded, first come first
 * served), never on the caller's thread. A target that hangs holds one thread for its response
 * timeout; the others go on.
 * <p>
 * Made by Camel's {@code ExecutorServiceManager} (thread names {@code Camel (policy-pipeline) thread
 * #n - target-delivery}), which shuts it down with the Camel context.
 */
@ApplicationScoped
public class TargetDeliveryPool {

    /** The thread pool profile's id, also the threads' name. */
    public static final String PROFILE = "target-delivery";

    @Produces
    @Singleton
    @Named("targetDeliveryExecutor")
    ExecutorService targetDeliveryExecutor(CamelContext camel, PipelineConfig config) {
        return camel.getExecutorServiceManager().newThreadPool(this, PROFILE, profile(config.delivery().maxParallel()));
    }

    /**
     * @param maxParallel threads, at least 1
     * @return a fixed pool of that many threads with an unbounded queue
     */
    static ThreadPoolProfile profile(int maxParallel) {
        if (maxParallel < 1) {
            throw new IllegalArgumentException("pipeline.delivery.max-parallel must be at least 1, not " + maxParallel);
        }
        ThreadPoolProfile profile = new ThreadPoolProfile(PROFILE);
        profile.setPoolSize(maxParallel);
        profile.setMaxPoolSize(maxParallel);
        // Camel 4 takes 0 or less for "no queue" (a SynchronousQueue); MAX_VALUE is the unbounded one.
        profile.setMaxQueueSize(Integer.MAX_VALUE);
        profile.setAllowCoreThreadTimeOut(true);
        profile.setKeepAliveTime(60L);
        profile.setTimeUnit(TimeUnit.SECONDS);
        profile.setRejectedPolicy(ThreadPoolRejectedPolicy.Abort);
        return profile;
    }
}
