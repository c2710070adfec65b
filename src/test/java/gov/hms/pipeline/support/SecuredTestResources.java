package gov.hms.pipeline.support;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * As {@link PipelineTestResources}, with Quarkus security on and three users, one per role; each
 * password is {@code <user>-test}, stored as the SHA-256 digest the service expects.
 */
public class SecuredTestResources extends PipelineTestResources {

    @Override
    protected Map<String, String> extraConfig(Path dataDir) {
        Map<String, String> config = new HashMap<>();
        config.put("pipeline.security.enabled", "true");
        for (String role : new String[] {"submitter", "operator", "reader"}) {
            config.put("quarkus.security.users.embedded.users." + role, digest(role, role + "-test"));
            config.put("quarkus.security.users.embedded.roles." + role, role);
        }
        return config;
    }

    /** HEX(SHA-256(user ":" realm ":" password)), the embedded realm's digest-sha-256 form. */
    static String digest(String user, String password) {
        try {
            byte[] hash = java.security.MessageDigest.getInstance("SHA-256")
                    .digest((user + ":Quarkus:" + password).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(hash);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
