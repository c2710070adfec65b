package gov.hms.pipeline.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class AuditRedactorTest {

    private final AuditRedactor redactor = new AuditRedactor(List.of("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "short"));

    @Test
    void headerValuesAreMasked() {
        assertThat(redactor.redact("Authorization: Bearer abc.def-123")).isEqualTo("Authorization: ***");
        assertThat(redactor.redact("authorization=Basic dXNlcjpwdw==")).doesNotContain("dXNlcjpwdw");
        assertThat(redactor.redact("Cookie: session=abc; theme=dark\nnext line")).isEqualTo("Cookie: ***\nnext line");
        assertThat(redactor.redact("webhook-signature: v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4="))
                .isEqualTo("webhook-signature: ***");
        assertThat(redactor.redact("{\"X-Hub-Signature\":\"sha256=abcdef\"}")).isEqualTo("{\"X-Hub-Signature\":\"***\"}");
    }

    @Test
    void credentialsInUrlsAndTokensAreMasked() {
        assertThat(redactor.redact("POST https://bob:s3cret@registry.example/x?token=t0k&page=2 failed"))
                .isEqualTo("POST https://***@registry.example/x?token=***&page=2 failed");
        assertThat(redactor.redact("got Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig-nature"))
                .doesNotContain("eyJhbGciOiJIUzI1NiJ9");
        assertThat(redactor.redact("secret whsec_AAAAbbbbCCCCdddd and v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4="))
                .isEqualTo("secret whsec_*** and v1,***");
    }

    @Test
    void configuredSecretsAreMaskedWhereverTheyAppearButShortOnesAreNotGuessed() {
        assertThat(redactor.redact("key MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw leaked")).isEqualTo("key *** leaked");
        assertThat(redactor.redact("a short text")).isEqualTo("a short text");
    }

    @Test
    void ordinaryTextIsUnchanged() {
        String detail = "target live: HTTP 201 after 1 attempt(s); json package sha256=ab12 size=300 bytes";
        assertThat(redactor.redact(detail)).isEqualTo(detail);
        assertThat(redactor.redact("http client 127.0.0.1:5555")).isEqualTo("http client 127.0.0.1:5555");
        assertThat(redactor.redact(null)).isNull();
    }

    @Test
    void namesAndSchemesAreFoundInAnyLetterCase() {
        assertThat(redactor.redact("PROXY-AUTHORIZATION: NEGOTIATE YIIabc")).isEqualTo("PROXY-AUTHORIZATION: ***");
        assertThat(redactor.redact("retry with BEARER abcd1234")).isEqualTo("retry with BEARER ***");
        assertThat(redactor.redact("X-Upstream-Token: t0k3n")).isEqualTo("X-Upstream-Token: ***");
        assertThat(redactor.redact("url ?Client_Secret=abc&Sig=xyz")).isEqualTo("url ?Client_Secret=***&Sig=***");
        assertThat(redactor.redact("amqp://USER:pw@broker:5672")).isEqualTo("amqp://***@broker:5672");
        assertThat(redactor.redact("PassWD=hunter2; next")).isEqualTo("PassWD=***; next");
    }

    @Test
    void aTextWithoutAnyTellTaleLiteralIsReturnedAsItIs() {
        String identifier = "vaccination-rule-2026";
        assertThat(redactor.redact(identifier)).isSameAs(identifier);
        String detail = "delivered to target registry: HTTP 201 after 1 attempt(s)";
        assertThat(redactor.redact(detail)).isSameAs(detail);
    }
}
