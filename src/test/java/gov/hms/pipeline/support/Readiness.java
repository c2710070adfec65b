package gov.hms.pipeline.support;

import static io.restassured.RestAssured.given;

import java.time.Duration;
import org.awaitility.Awaitility;

/**
 * Waits for {@code /q/health/ready}: consumers (inbox, queue) report ready only after their first
 * poll, a second or so after start-up, so a test asks again rather than once.
 */
public final class Readiness {

    private Readiness() {
    }

    /** Waits up to 60 s for HTTP 200 from the readiness endpoint. */
    public static void awaitReady() {
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> given().when().get("/q/health/ready").then().extract().statusCode() == 200);
    }
}
