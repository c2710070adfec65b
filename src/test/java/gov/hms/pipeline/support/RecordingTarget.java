package gov.hms.pipeline.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A live target (or subscriber) as a real HTTP server on a free local port (the JDK's HttpServer):
 * takes every POST with 201 and remembers what each carried, for tests that count deliveries across
 * processes.
 */
public final class RecordingTarget implements AutoCloseable {

    /**
     * One request as received: the policy id ({@code X-Policy-Id}, or a CloudEvent's {@code subject}),
     * {@code Idempotency-Key}, {@code webhook-id}.
     */
    public record Received(String policyId, String idempotencyKey, String webhookId) {
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(8);
    private final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();

    public RecordingTarget() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 200);
        server.createContext("/", exchange -> {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            var headers = exchange.getRequestHeaders();
            String policyId = headers.getFirst("X-Policy-Id");
            if (policyId == null) {
                policyId = MAPPER.readTree(body).path("subject").asText(null);
            }
            received.add(new Received(policyId, headers.getFirst("Idempotency-Key"), headers.getFirst("webhook-id")));
            exchange.sendResponseHeaders(201, -1);
            exchange.close();
        });
        server.setExecutor(threads);
        server.start();
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    public int count() {
        return received.size();
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
