package gov.hms.pipeline.ledger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import gov.hms.pipeline.api.Deployment;
import gov.hms.pipeline.api.DeploymentResult;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import java.sql.SQLException;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;

/**
 * {@code Prefer: respond-async} (RFC 7240 section 4.1) on {@code POST /api/policies}: the request
 * is recorded as {@code received} in the ledger and answered 202 at once; the same deploy route
 * then runs on a worker (the {@code http-ingest} route's wire tap), and its answer, the one a
 * synchronous caller would have got, is kept for {@code GET /api/deployments/{id}} (docs/scheduling.md).
 */
@ApplicationScoped
@Named("asyncDeployments")
public class AsyncDeployments {

    private final DeploymentRequests requests;
    private final ObjectMapper mapper = new ObjectMapper();

    public AsyncDeployments(DeploymentRequests requests) {
        this.requests = requests;
    }

    /**
     * Records the request as {@code received} before it is answered, and reads the body into bytes
     * (the wire tap's copy outlives the HTTP request).
     */
    public void accept(Exchange exchange, @ExchangeProperty(Deployment.PROPERTY) Deployment deployment)
            throws SQLException {
        exchange.getMessage().setBody(exchange.getMessage().getBody(byte[].class));
        requests.received(deployment);
        Log.infof("deployment %s: accepted for asynchronous processing (Prefer: respond-async)", deployment.id());
    }

    /** The 202 answer: {@code accepted}, with the deployment id its {@code Location} names. */
    public DeploymentResult accepted(@ExchangeProperty(Deployment.PROPERTY) Deployment deployment) {
        return new DeploymentResult(DeploymentResult.ACCEPTED, null, null, deployment.id(), null, null, null, null, null,
                null, null, 202);
    }

    /** After the deploy route, on the worker: keeps its answer. Never throws (the deployment has ended). */
    public void answered(Exchange exchange, @ExchangeProperty(Deployment.PROPERTY) Deployment deployment) {
        DeploymentResult result = exchange.getMessage().getBody(DeploymentResult.class);
        try {
            requests.answered(deployment.id(), deployment.policyId(), mapper.writeValueAsString(result));
        } catch (SQLException | JsonProcessingException | RuntimeException e) {
            Log.errorf("deployment %s: its asynchronous answer could not be kept in the ledger: %s", deployment.id(),
                    e.getMessage());
        }
    }
}
