package gov.hms.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The Kubernetes example kept in the repository ({@code deploy/kubernetes/policy-pipeline.yaml},
 * docs/scale-out.md) stays true: two or more replicas with stable names, readiness and liveness on the
 * service's health endpoints, a grace period the shutdown fits in, the ledger on PostgreSQL and the
 * broker external, and every environment variable it sets naming a key the README documents.
 */
class KubernetesExampleTest {

    private static final Path EXAMPLE = Path.of("deploy/kubernetes/policy-pipeline.yaml");

    @Test
    @SuppressWarnings("unchecked")
    void theExampleRunsSeveralStableInstancesOnTheSharedStoreWithTheServicesProbesAndDocumentedKeys() throws IOException {
        List<Map<String, Object>> documents = new ArrayList<>();
        new Load(LoadSettings.builder().build()).loadAllFromString(Files.readString(EXAMPLE))
                .forEach(document -> documents.add((Map<String, Object>) document));
        Map<String, Object> statefulSet = documents.stream().filter(d -> "StatefulSet".equals(d.get("kind"))).findFirst()
                .orElseThrow();
        Map<String, Object> spec = (Map<String, Object>) statefulSet.get("spec");
        assertThat((Integer) spec.get("replicas")).isGreaterThanOrEqualTo(2);
        Map<String, Object> pod = (Map<String, Object>) ((Map<String, Object>) spec.get("template")).get("spec");
        assertThat((Integer) pod.get("terminationGracePeriodSeconds")).as("drain 20 s + Camel 5 s").isGreaterThanOrEqualTo(30);
        Map<String, Object> container = ((List<Map<String, Object>>) pod.get("containers")).get(0);
        assertThat(path(container, "readinessProbe")).isEqualTo("/q/health/ready");
        assertThat(path(container, "livenessProbe")).isEqualTo("/q/health/live");

        List<Map<String, Object>> env = (List<Map<String, Object>>) container.get("env");
        Map<String, Object> byName = new java.util.HashMap<>();
        env.forEach(variable -> byName.put((String) variable.get("name"),
                variable.containsKey("value") ? variable.get("value") : variable.get("valueFrom")));
        assertThat(byName).containsEntry("QUARKUS_DATASOURCE_H2_ACTIVE", "false")
                .containsEntry("QUARKUS_DATASOURCE_POSTGRESQL_ACTIVE", "true")
                .containsEntry("PIPELINE_BROKER_EMBEDDED", "false")
                .containsEntry("LC_ALL", "C.UTF-8");
        assertThat(byName.get("PIPELINE_AUDIT_INSTANCE")).as("the pod's stable name")
                .isEqualTo(Map.of("fieldRef", Map.of("fieldPath", "metadata.name")));
        // One shared audit folder for every chain; each pod's private key on its own volume, not in it.
        assertThat((String) byName.get("PIPELINE_AUDIT_SHARED_DIR")).isEqualTo(mountOf(container, "audit"));
        assertThat((String) byName.get("PIPELINE_AUDIT_CHECKPOINT_KEY")).startsWith(mountOf(container, "data") + "/");
        assertThat(volumeClaims(pod)).containsEntry("audit", "policy-pipeline-audit");

        Set<String> documented = documentedKeysAsEnvironmentVariables();
        assertThat(byName.keySet().stream().filter(name -> !name.equals("LC_ALL")).filter(name -> !documented.contains(name)))
                .as("environment variables that name no key of README's Configuration").isEmpty();
    }

    @SuppressWarnings("unchecked")
    private static String mountOf(Map<String, Object> container, String volume) {
        return ((List<Map<String, Object>>) container.get("volumeMounts")).stream()
                .filter(mount -> volume.equals(mount.get("name"))).map(mount -> (String) mount.get("mountPath"))
                .findFirst().orElseThrow(() -> new AssertionError("no mount of volume " + volume));
    }

    /** The pod's volumes that are claims: volume name to claim name. */
    @SuppressWarnings("unchecked")
    private static Map<String, String> volumeClaims(Map<String, Object> pod) {
        Map<String, String> claims = new java.util.HashMap<>();
        ((List<Map<String, Object>>) pod.get("volumes")).forEach(volume -> {
            Object claim = volume.get("persistentVolumeClaim");
            if (claim instanceof Map<?, ?> map) {
                claims.put((String) volume.get("name"), (String) map.get("claimName"));
            }
        });
        return claims;
    }

    @SuppressWarnings("unchecked")
    private static Object path(Map<String, Object> container, String probe) {
        return ((Map<String, Object>) ((Map<String, Object>) container.get(probe)).get("httpGet")).get("path");
    }

    /** README's Configuration keys ({@code `a.b.c`, `.d`} rows expanded) as MicroProfile Config environment names. */
    private static Set<String> documentedKeysAsEnvironmentVariables() throws IOException {
        Set<String> names = new HashSet<>();
        Pattern row = Pattern.compile("^\\| (`[^|]+`) \\|", Pattern.MULTILINE);
        Pattern key = Pattern.compile("`([^`]+)`");
        Matcher rows = row.matcher(Files.readString(Path.of("README.md")));
        while (rows.find()) {
            Matcher keys = key.matcher(rows.group(1));
            String base = "";
            while (keys.find()) {
                String name = keys.group(1);
                if (name.startsWith(".")) {
                    name = base + name;
                } else {
                    base = name.substring(0, name.lastIndexOf('.') < 0 ? name.length() : name.lastIndexOf('.'));
                }
                names.add(name.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_"));
            }
        }
        return names;
    }
}
