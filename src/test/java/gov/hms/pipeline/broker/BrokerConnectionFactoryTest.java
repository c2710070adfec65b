package gov.hms.pipeline.broker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BrokerConnectionFactoryTest {

    @Test
    void urlSchemeChoosesTheClient() {
        assertThat(BrokerConnectionFactory.isAmqp("amqp://broker:5672")).isTrue();
        assertThat(BrokerConnectionFactory.isAmqp("amqps://broker:5671")).isTrue();
        assertThat(BrokerConnectionFactory.isAmqp("failover:(amqp://a:5672,amqp://b:5672)")).isTrue();
        assertThat(BrokerConnectionFactory.isAmqp("tcp://127.0.0.1:61616")).isFalse();
        assertThat(BrokerConnectionFactory.isAmqp("(tcp://a:61616,tcp://b:61616)?ha=true")).isFalse();
    }

    @Test
    void displayedUrlHasNoCredentialsOrOptions() {
        assertThat(BrokerConnectionFactory.displayUrl("tcp://127.0.0.1:61616?user=svc&password=s3cret"))
                .isEqualTo("tcp://127.0.0.1:61616");
        assertThat(BrokerConnectionFactory.displayUrl("amqps://svc:s3cret@broker:5671?transport.trustAll=true"))
                .isEqualTo("amqps://broker:5671");
        assertThat(BrokerConnectionFactory.displayUrl("failover:(amqp://a:5672?x=1,amqp://b:5672)?failover.maxReconnectAttempts=5"))
                .isEqualTo("failover:(amqp://a:5672,amqp://b:5672)");
    }

    @Test
    void anEmbeddedAcceptorOnEveryInterfaceIsReachedLocally() {
        assertThat(BrokerConnectionFactory.localUrl("tcp://0.0.0.0:61616")).isEqualTo("tcp://127.0.0.1:61616");
        assertThat(BrokerConnectionFactory.localUrl("tcp://[::]:61616")).isEqualTo("tcp://127.0.0.1:61616");
        assertThat(BrokerConnectionFactory.localUrl("tcp://10.0.0.5:61616")).isEqualTo("tcp://10.0.0.5:61616");
        assertThat(BrokerConnectionFactory.localUrl("tcp://0.0.0.01:61616")).isEqualTo("tcp://0.0.0.01:61616");
    }
}
