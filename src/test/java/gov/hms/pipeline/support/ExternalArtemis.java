package gov.hms.pipeline.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * An Apache ActiveMQ Artemis broker as its own process, from the distribution Maven serves
 * ({@code org.apache.activemq:apache-artemis:<version>:zip:bin}, unpacked by the build into the folder
 * the system property {@code artemis.home} names): {@code artemis create} of a broker instance, then
 * {@code artemis run}, the way an operator installs one. One CORE+AMQP acceptor on a free local port,
 * login required, the input queue and its DLQ ANYCAST, delivery counts persisted before delivery and
 * a dead-letter limit on the input queue. {@link #close()} ends the broker and every process it started.
 */
public final class ExternalArtemis implements AutoCloseable {

    public static final String USER = "pipeline";
    public static final String PASSWORD = "pipeline-broker";

    private final int port = PipelineTestResources.freePort();
    private final Path instance;
    private Process process;

    /**
     * Creates the broker instance under {@code folder} and starts it; waits until its port answers.
     *
     * @param maxDeliveries the input queue's delivery limit before the broker dead-letters a message
     */
    public ExternalArtemis(Path folder, String queue, int maxDeliveries) throws IOException, InterruptedException {
        Path home = Path.of(System.getProperty("artemis.home", "target/artemis-distribution/apache-artemis-2.40.0"));
        Path artemis = home.resolve("bin/artemis");
        if (!Files.isExecutable(artemis)) {
            throw new IllegalStateException("no Artemis distribution at " + home.toAbsolutePath()
                    + " (the build unpacks it in pre-integration-test: run through Maven's verify)");
        }
        instance = folder.resolve("broker");
        Process create = new ProcessBuilder(List.of(artemis.toString(), "create", "--silent", "--force", "--user", USER,
                "--password", PASSWORD, "--require-login", "--no-web", "--no-autotune", "--nio", "--host", "127.0.0.1",
                "--default-port", Integer.toString(port), "--no-amqp-acceptor", "--no-hornetq-acceptor",
                "--no-mqtt-acceptor", "--no-stomp-acceptor", "--java-memory", "512M",
                "--queues", queue + ":anycast," + queue + ".DLQ:anycast", instance.toString()))
                .redirectErrorStream(true).redirectOutput(folder.resolve("artemis-create.log").toFile()).start();
        if (!create.waitFor(2, TimeUnit.MINUTES) || create.exitValue() != 0) {
            throw new IllegalStateException("artemis create failed: " + Files.readString(folder.resolve("artemis-create.log")));
        }
        Path brokerXml = instance.resolve("etc/broker.xml");
        String xml = Files.readString(brokerXml);
        // As docs/queue.md asks of an external broker: counts that survive a crash, a limit, a DLQ.
        xml = xml.replaceFirst("<persistence-enabled>true</persistence-enabled>",
                "<persistence-enabled>true</persistence-enabled>\n"
                        + "      <persist-delivery-count-before-delivery>true</persist-delivery-count-before-delivery>");
        xml = xml.replaceFirst("<address-setting match=\"#\">", "<address-setting match=\"" + queue + "\">\n"
                + "            <dead-letter-address>" + queue + ".DLQ</dead-letter-address>\n"
                + "            <max-delivery-attempts>" + maxDeliveries + "</max-delivery-attempts>\n"
                + "            <redelivery-delay>200</redelivery-delay>\n"
                + "         </address-setting>\n"
                + "         <address-setting match=\"#\">");
        Files.writeString(brokerXml, xml);
        process = new ProcessBuilder(List.of(instance.resolve("bin/artemis").toString(), "run"))
                .redirectErrorStream(true).redirectOutput(folder.resolve("artemis.log").toFile()).start();
        try {
            awaitLive(folder);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private void awaitLive(Path folder) {
        Awaitility.await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(250)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("Artemis exited: " + Files.readString(folder.resolve("artemis.log")));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return Files.readString(folder.resolve("artemis.log")).contains("AMQ221007");   // "Server is now live"
            } catch (IOException e) {
                return false;
            }
        });
    }

    /** The CORE URL (Artemis's own client), e.g. {@code tcp://127.0.0.1:61617}. */
    public String coreUrl() {
        return "tcp://127.0.0.1:" + port;
    }

    @Override
    public void close() throws InterruptedException {
        if (process == null) {
            return;
        }
        List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
        all.add(process.toHandle());
        all.forEach(ProcessHandle::destroy);
        for (ProcessHandle handle : all) {
            try {
                handle.onExit().get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                handle.destroyForcibly();
            }
        }
    }
}
