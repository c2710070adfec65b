package example;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;

/**
 * Deploys a policy from any Java program, over HTTP, with nothing but the JDK ({@code java.net.http}):
 * what a program outside this service uses, since the Java API ({@code PolicyDeploymentPipeline}) works only
 * in code built into the service. Posts the policy file to {@code POST /api/policies} with HTTP Basic
 * credentials (RFC 7617) and prints the answer, the same JSON for every outcome:
 * {@code {"status":"success","deploymentId":..,"deliveries":[..],..}} or
 * {@code {"status":"failure","error":..,..}}.
 *
 * <pre>
 * ./mvnw -q exec:java@deploy-over-http -Dexec.args="samples/policy-2023-vax.json --url http://localhost:8080"
 * java samples/java/example/DeployOverHttp.java samples/policy-2023-vax.json   # a JDK alone runs it too
 * </pre>
 *
 * Options: {@code --url} (the service, default {@code http://localhost:8080}), {@code --user} and
 * {@code --password} (default the demo submitter; the password may also come from the environment
 * variable {@code PIPELINE_PASSWORD}). Exits 0 on HTTP 200, 1 on any other answer, 2 if the service
 * could not be reached, 64 on a usage error.
 */
public final class DeployOverHttp {

    private DeployOverHttp() {
    }

    public static void main(String[] args) throws InterruptedException {
        System.exit(run(System.out, System.err, args));
    }

    /** Deploys as {@link #main} does, printing to the given streams; returns the exit status. */
    public static int run(PrintStream out, PrintStream err, String... args) throws InterruptedException {
        Path policy = null;
        String url = "http://localhost:8080";
        String user = "submitter";
        String password = System.getenv().getOrDefault("PIPELINE_PASSWORD", "submitter-demo");
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--") && policy == null) {
                policy = Path.of(arg);
            } else if (i + 1 < args.length && arg.equals("--url")) {
                url = args[++i];
            } else if (i + 1 < args.length && arg.equals("--user")) {
                user = args[++i];
            } else if (i + 1 < args.length && arg.equals("--password")) {
                password = args[++i];
            } else {
                err.println("unexpected argument " + arg
                        + "; usage: DeployOverHttp <policy.json> [--url http://localhost:8080] [--user U --password P]");
                return 64;
            }
        }
        if (policy == null) {
            err.println("usage: DeployOverHttp <policy.json> [--url http://localhost:8080] [--user U --password P]");
            return 64;
        }

        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        String credentials = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(URI.create(url).resolve("/api/policies"))
                    .header("Content-Type", "application/json")
                    .header("Authorization", "Basic " + credentials)
                    // The answer comes once every target took the package (or finally did not): allow for retries.
                    .timeout(Duration.ofMinutes(5))
                    .POST(HttpRequest.BodyPublishers.ofFile(policy))
                    .build();
        } catch (IOException e) {
            err.println("cannot read " + policy + ": " + e);
            return 64;
        }
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            err.println("cannot reach " + url + ": " + e);
            return 2;
        }
        out.println(response.body());
        if (response.statusCode() != 200) {
            err.println("HTTP " + response.statusCode());
            return 1;
        }
        return 0;
    }
}
