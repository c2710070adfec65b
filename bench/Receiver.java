import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Benchmark receiver (JDK only, run with {@code java bench/Receiver.java <port> [<delay ms>]}): answers
 * every POST to /target, /s1, /s2, /s3 and the fan-out targets /t/<n> (after the delay, if given) with
 * 200 and counts it per path. GET /stats answers
 * {@code path count lastEpochMillis} lines; POST /reset zeroes the counts. One process, so the
 * bench can read its CPU from /proc/<pid>/stat.
 * Run it with {@code -Dsun.net.httpserver.nodelay=true}: the JDK server writes headers and body
 * separately, and with Nagle on that costs a delayed ACK (about 40 ms) per request.
 */
public class Receiver {
    static final ConcurrentHashMap<String, AtomicLong> COUNTS = new ConcurrentHashMap<>();
    static final ConcurrentHashMap<String, AtomicLong> LAST = new ConcurrentHashMap<>();
    /** How long a fan-out target (a path under /t/) takes to answer: a network's round trip and the target's work. */
    static long delayMillis;

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        delayMillis = args.length > 1 ? Long.parseLong(args[1]) : 0;
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 512);
        server.createContext("/", Receiver::handle);
        server.setExecutor(Executors.newFixedThreadPool(Integer.getInteger("receiver.threads", 32)));
        server.start();
        System.out.println("receiver on " + port);
    }

    static void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        try (InputStream in = ex.getRequestBody()) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        byte[] answer;
        if (path.equals("/stats")) {
            StringBuilder sb = new StringBuilder();
            COUNTS.forEach((p, c) -> sb.append(p).append(' ').append(c.get()).append(' ')
                    .append(LAST.get(p).get()).append('\n'));
            answer = sb.toString().getBytes(StandardCharsets.UTF_8);
        } else if (path.equals("/reset")) {
            COUNTS.clear();
            LAST.clear();
            answer = new byte[0];
        } else {
            if (delayMillis > 0 && path.startsWith("/t/")) {
                try {
                    Thread.sleep(delayMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            LAST.computeIfAbsent(path, p -> new AtomicLong()).set(System.currentTimeMillis());
            COUNTS.computeIfAbsent(path, p -> new AtomicLong()).incrementAndGet();
            answer = "{}".getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
        }
        ex.sendResponseHeaders(200, answer.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(answer);
        }
    }
}
