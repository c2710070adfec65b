package gov.hms.pipeline.service;

import io.quarkus.logging.Log;
import io.quarkus.runtime.annotations.CommandLineArguments;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.camel.quarkus.main.events.BeforeConfigure;

/**
 * Checks what was written after {@code -jar quarkus-run.jar}. The service takes no arguments: Java hands
 * everything after the jar to the program, not to itself, so {@code java -jar quarkus-run.jar
 * -Dquarkus.http.port=8081} starts on port 8080 as if the setting were not there. Rather than run with
 * settings the operator believes are in force (another port, another data folder, another broker), the
 * service refuses to start and prints the command that does what was meant: each {@code -Dkey=value} and
 * each {@code --key=value} (the form some other frameworks accept) moved before {@code -jar} as
 * {@code -Dkey=value}.
 *
 * <p>The check runs when Camel is about to be configured: before the broker, the stores and the HTTP port
 * are opened, so a refused start leaves nothing behind. (A {@code @QuarkusMain} could check earlier, but
 * with one Camel Quarkus no longer starts Camel by itself, in tests neither.) The process then ends as any
 * failed start does, with exit status 1.
 */
@ApplicationScoped
public class LaunchArguments {

    void refuseArguments(@Observes BeforeConfigure configuring, @CommandLineArguments String[] args) {
        if (args.length == 0) {
            return;
        }
        problem(List.of(args), ManagementFactory.getRuntimeMXBean().getInputArguments(), System.getProperty("java.class.path"))
                .ifPresent(problem -> {
                    Log.error(problem);
                    throw new IllegalArgumentException("arguments after -jar; the command to run instead is logged above");
                });
    }

    /**
     * Why the service must not start with these arguments, or empty when there are none.
     *
     * @param args    what followed the jar on the command line
     * @param jvmArgs the options given to the JVM itself (before {@code -jar}), kept in the suggested command
     * @param jar     the jar as it was named on the command line
     * @return the message for standard error: what is wrong, and the command to run instead
     */
    public static Optional<String> problem(List<String> args, List<String> jvmArgs, String jar) {
        if (args.isEmpty()) {
            return Optional.empty();
        }
        List<String> settings = new ArrayList<>();
        List<String> others = new ArrayList<>();
        for (String arg : args) {
            setting(arg).ifPresentOrElse(settings::add, () -> others.add(arg));
        }
        StringBuilder message = new StringBuilder("policy-deployment-pipeline did not start: it takes no arguments after -jar")
                .append(", and Java does not apply settings written there.\n");
        if (!settings.isEmpty()) {
            message.append("Settings go before -jar:\n  java");
            jvmArgs.forEach(option -> message.append(' ').append(quoted(option)));
            settings.forEach(option -> message.append(' ').append(quoted(option)));
            message.append(" -jar ").append(quoted(jar)).append('\n');
        }
        if (!others.isEmpty()) {
            message.append("Not understood: ").append(String.join(" ", others.stream().map(LaunchArguments::quoted).toList()))
                    .append(" (the service reads its settings from config/application.properties, -Dkey=value before -jar,"
                            + " or environment variables; see README.md, \"Configuration\")\n");
        }
        return Optional.of(message.toString());
    }

    /** {@code -Dkey=value} as it is, {@code --key=value} as {@code -Dkey=value}; anything else is not a setting. */
    static Optional<String> setting(String arg) {
        if (arg.startsWith("-D") && arg.length() > 2) {
            return Optional.of(arg);
        }
        if (arg.startsWith("--") && arg.indexOf('=') > 2) {
            return Optional.of("-D" + arg.substring(2));
        }
        return Optional.empty();
    }

    /** The argument as a POSIX shell reads it back: single-quoted when it holds anything but plain characters. */
    static String quoted(String arg) {
        if (arg.matches("[A-Za-z0-9_./:=@%+,-]+")) {
            return arg;
        }
        return "'" + arg.replace("'", "'\\''") + "'";
    }
}
