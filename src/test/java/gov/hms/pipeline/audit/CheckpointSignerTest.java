package gov.hms.pipeline.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tink signs, the JDK verifies: Ed25519 is deterministic, so both must give the very same bytes. */
class CheckpointSignerTest {

    @TempDir
    Path folder;

    @Test
    void signsExactlyAsTheJdkProviderDoesAndVerifiesWithIt() throws Exception {
        Path privatePem = folder.resolve("checkpoint-key.pem");
        CheckpointSigner signer = CheckpointSigner.loadOrCreate(privatePem, folder.resolve("checkpoint-key.pub.pem"));
        byte[] payload = "{\"headHash\":\"ab\",\"records\":100}".getBytes(StandardCharsets.UTF_8);

        String pem = Files.readString(privatePem);
        byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
        PrivateKey key = KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
        Signature jdk = Signature.getInstance("Ed25519");
        jdk.initSign(key);
        jdk.update(payload);

        String signature = signer.sign(payload);
        assertThat(signature).isEqualTo(Base64.getEncoder().encodeToString(jdk.sign()));
        assertThat(signer.verify(payload, signature)).isTrue();
        payload[payload.length - 2] = '1';
        assertThat(signer.verify(payload, signature)).isFalse();
    }

    @Test
    void aKeyReadBackAfterARestartSignsTheSame() throws Exception {
        Path privatePem = folder.resolve("key.pem");
        Path publicPem = folder.resolve("key.pub.pem");
        CheckpointSigner first = CheckpointSigner.loadOrCreate(privatePem, publicPem);
        CheckpointSigner second = CheckpointSigner.loadOrCreate(privatePem, publicPem);
        byte[] payload = {1, 2, 3};
        assertThat(second.keyId()).isEqualTo(first.keyId());
        assertThat(second.sign(payload)).isEqualTo(first.sign(payload));
    }
}
