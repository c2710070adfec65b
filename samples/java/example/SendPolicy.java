package example;

import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TemporaryQueue;
import jakarta.jms.TextMessage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.apache.qpid.jms.JmsConnectionFactory;

/**
 * Sends an approved policy to the pipeline's queue over AMQP 1.0 and waits for the result: another
 * system's side of docs/queue.md, in Java, with Apache Qpid JMS (the client the service itself ships).
 * Needs only a JDK 17 and this project's Maven wrapper, after the build:
 *
 * <pre>
 * ./mvnw -q exec:java@send-policy -Dexec.args="samples/policy-2023-vax.json --url amqp://127.0.0.1:61616"
 * </pre>
 *
 * Options: {@code --url} (default {@code amqp://127.0.0.1:61616}), {@code --queue} (default
 * {@code policies.approved}), {@code --user} and {@code --password} (SASL PLAIN; use {@code amqps://} to any
 * broker not on this host), {@code --approved-by} (the audit actor when the broker vouches for no user),
 * {@code --timeout} (seconds to wait for the result, default 120). The password may also come from the
 * environment variable {@code PIPELINE_SENDER_PASSWORD}, which keeps it out of the process list.
 *
 * <p>Prints the result JSON (the document {@code POST /api/policies} answers) and exits 0 on
 * {@code "status":"success"}, 1 on a failure, 2 if no answer came in time, 64 on a usage error.
 */
public final class SendPolicy {

    static final int SUCCESS = 0;
    static final int FAILURE = 1;
    static final int NO_ANSWER = 2;
    static final int USAGE = 64;

    private SendPolicy() {
    }

    public static void main(String[] args) {
        System.exit(run(System.out, System.err, args));
    }

    /** Sends the policy as {@link #main} does, printing to the given streams; returns the exit status. */
    public static int run(PrintStream out, PrintStream err, String... args) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            err.println("usage: SendPolicy <policy.json> [--url amqp://127.0.0.1:61616] [--queue policies.approved]"
                    + " [--user U --password P] [--approved-by NAME] [--timeout SECONDS]");
            return USAGE;
        }
        String policy;
        try {
            policy = Files.readString(options.policy, StandardCharsets.UTF_8);
        } catch (IOException e) {
            err.println("cannot read " + options.policy + ": " + e);
            return USAGE;
        }
        JmsConnectionFactory factory = new JmsConnectionFactory(options.url);
        try (Connection connection = options.user == null ? factory.createConnection()
                : factory.createConnection(options.user, options.password)) {
            connection.start();
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            // A temporary queue of our own for the answer (an AMQP dynamic node).
            TemporaryQueue replies = session.createTemporaryQueue();
            MessageConsumer answers = session.createConsumer(replies);
            MessageProducer sender = session.createProducer(session.createQueue(options.queue));
            sender.setDeliveryMode(DeliveryMode.PERSISTENT);      // kept on disk until the service has deployed it

            TextMessage request = session.createTextMessage(policy);  // a text message holding UTF-8 JSON
            String correlationId = UUID.randomUUID().toString();
            request.setJMSCorrelationID(correlationId);
            request.setJMSReplyTo(replies);
            if (options.approvedBy != null) {
                request.setStringProperty("approvedBy", options.approvedBy);
            }
            sender.send(request);

            Message answer = answers.receive(options.timeout.toMillis());
            if (answer == null) {
                err.println("no answer within " + options.timeout.toSeconds() + " s; the policy stays queued until deployed");
                return NO_ANSWER;
            }
            if (!correlationId.equals(answer.getJMSCorrelationID())) {
                err.println("unexpected correlation id " + answer.getJMSCorrelationID());
            }
            String result = answer.getBody(String.class);
            out.println(result);
            // The result is JSON; without a JSON library, its top-level status is all this needs to read.
            return result.contains("\"status\":\"success\"") ? SUCCESS : FAILURE;
        } catch (JMSException e) {
            err.println("cannot send to " + options.url + ": " + e.getMessage());
            return NO_ANSWER;
        }
    }

    /** The command line, read strictly: an unknown option is an error, not ignored. */
    record Options(Path policy, String url, String queue, String user, String password, String approvedBy,
                   Duration timeout) {

        static Options parse(String... args) {
            Path policy = null;
            String url = "amqp://127.0.0.1:61616";
            String queue = "policies.approved";
            String user = null;
            String password = System.getenv("PIPELINE_SENDER_PASSWORD");
            String approvedBy = null;
            Duration timeout = Duration.ofSeconds(120);
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                if (!arg.startsWith("--")) {
                    if (policy != null) {
                        throw new IllegalArgumentException("one policy file only, got " + policy + " and " + arg);
                    }
                    policy = Path.of(arg);
                    continue;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(arg + " needs a value");
                }
                String value = args[++i];
                switch (arg) {
                    case "--url" -> url = value;
                    case "--queue" -> queue = value;
                    case "--user" -> user = value;
                    case "--password" -> password = value;
                    case "--approved-by" -> approvedBy = value;
                    case "--timeout" -> timeout = Duration.ofMillis(Math.round(Double.parseDouble(value) * 1000));
                    default -> throw new IllegalArgumentException("unknown option " + arg);
                }
            }
            if (policy == null) {
                throw new IllegalArgumentException("which policy file?");
            }
            return new Options(policy, url, queue, user, password, approvedBy, timeout);
        }
    }
}
