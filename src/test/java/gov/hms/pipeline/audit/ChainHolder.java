package gov.hms.pipeline.audit;

import gov.hms.pipeline.support.StubPipelineConfig;
import java.nio.file.Path;

/**
 * A second process for {@link SharedAuditFolderTest}: opens instance {@code args[1]}'s chain in the shared
 * folder {@code args[0]} (data folder {@code args[2]}), says {@code open} on stdout, and holds it until its
 * stdin closes.
 */
public final class ChainHolder {

    private ChainHolder() {
    }

    public static void main(String[] args) throws Exception {
        AuditLog log = new AuditLog(new StubPipelineConfig().auditFile(Path.of(args[2], "audit", "audit.jsonl"))
                .auditShared(args[1], Path.of(args[0])));
        log.append(AuditLogTest.record("held", AuditStep.RECEIVED));
        System.out.println("open");
        System.out.flush();
        while (System.in.read() >= 0) {
            // until the test closes our stdin
        }
        log.close();
    }
}
