package gov.hms.pipeline.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Optional;
import org.apache.camel.spi.ThreadPoolProfile;
import org.junit.jupiter.api.Test;

class HttpEndpointsTest {

    @Test
    void targetsWithTheSameTimeoutsShareOneEndpointThatNamesNoTarget() {
        String a = HttpEndpoints.sharedPost(Duration.ofSeconds(1), Duration.ofSeconds(7));
        assertThat(HttpEndpoints.sharedPost(Duration.ofSeconds(1), Duration.ofSeconds(7))).isEqualTo(a);
        assertThat(HttpEndpoints.sharedPost(Duration.ofSeconds(1), Duration.ofSeconds(8))).isNotEqualTo(a);
        assertThat(a).startsWith("http://targets.invalid/?httpMethod=POST&throwExceptionOnFailure=true")
                .contains("connectTimeout=1000").contains("responseTimeout=7000").contains("soTimeout=7000")
                .doesNotContain("auth");
    }

    @Test
    void basicCredentialsAreTheRfc7617HeaderOrNothing() {
        // RFC 7617 section 2's example: Aladdin / open sesame.
        assertThat(HttpEndpoints.basicAuthorization(Optional.of("Aladdin"), Optional.of("open sesame")))
                .isEqualTo("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
        // UTF-8 (RFC 7617 section 2.1): "test" / "123£".
        assertThat(HttpEndpoints.basicAuthorization(Optional.of("test"), Optional.of("123\u00a3")))
                .isEqualTo("Basic dGVzdDoxMjPCow==");
        assertThat(HttpEndpoints.basicAuthorization(Optional.of("user"), Optional.empty())).isNull();
        assertThat(HttpEndpoints.basicAuthorization(Optional.empty(), Optional.empty())).isNull();
    }

    @Test
    void theDeliveryPoolIsFixedAtMaxParallelWithAQueueThatNeverRejects() {
        ThreadPoolProfile profile = TargetDeliveryPool.profile(16);
        assertThat(profile.getPoolSize()).isEqualTo(16);
        assertThat(profile.getMaxPoolSize()).isEqualTo(16);
        assertThat(profile.getMaxQueueSize()).isEqualTo(Integer.MAX_VALUE);
        assertThatThrownBy(() -> TargetDeliveryPool.profile(0)).hasMessageContaining("pipeline.delivery.max-parallel");
    }
}
