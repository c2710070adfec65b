package gov.hms.pipeline.packaging;

import gov.hms.pipeline.api.Deployment;
import gov.hms.pipeline.config.PipelineConfig;
import gov.hms.pipeline.validation.PolicyValidator;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HexFormat;
import org.apache.camel.ExchangeProperty;

/**
 * Keeps every package produced, content-addressed, for replay and audit:
 * {@code <pipeline.packaging.archive-dir>/<policyId>/<sha256>.<json|zip>}. A file, once there, is
 * never rewritten (its name is its hash). Writes go to a temporary file in the same folder and
 * are then moved into place atomically, so a reader never sees half a package.
 * <p>
 * The policy id has passed the contract's pattern already; it is checked again here, and the
 * resolved folder must lie directly under the archive folder, because nothing from the input may
 * reach beyond it. The hash and the extension are the service's own.
 */
@ApplicationScoped
@Named("packageArchive")
public class PackageArchive {

    private final Path base;

    @Inject
    public PackageArchive(PipelineConfig config) {
        this(config.packaging().archiveDir());
    }

    public PackageArchive(Path base) {
        this.base = base.toAbsolutePath().normalize();
    }

    /**
     * Archives every package of the deployment.
     *
     * @throws IOException if a package cannot be written (the deployment then fails: a package
     *                     that cannot be kept is not delivered)
     */
    public void keep(@ExchangeProperty(Deployment.PROPERTY) Deployment deployment) throws IOException {
        for (PolicyPackage policyPackage : deployment.packages()) {
            keep(deployment.policyId(), policyPackage);
        }
    }

    /**
     * @return where the package is kept
     * @throws IllegalArgumentException if the policy id or the hash could name a path elsewhere
     */
    public Path keep(String policyId, PolicyPackage policyPackage) throws IOException {
        Path file = pathOf(policyId, policyPackage.sha256(), policyPackage.format());
        if (Files.exists(file)) {
            return file;
        }
        Files.createDirectories(file.getParent());
        Path temporary = Files.createTempFile(file.getParent(), ".incoming-", ".tmp");
        try {
            Files.write(temporary, policyPackage.bytes());
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temporary);
        }
        Log.infof("archived %s package of policy %s: %s", policyPackage.format(), policyId, base.relativize(file));
        return file;
    }

    /** @return {@code <archive-dir>/<policyId>/<sha256>.<format>} for a safe id, a SHA-256 hex and a known format */
    public Path pathOf(String policyId, String sha256, String format) {
        if (!PolicyValidator.isSafeId(policyId)) {
            throw new IllegalArgumentException("not a safe policy id");
        }
        if (sha256 == null || sha256.length() != 64 || !sha256.chars().allMatch(HexFormat::isHexDigit)) {
            throw new IllegalArgumentException("not a SHA-256 hex digest");
        }
        String extension = switch (format) {
            case PolicyPackage.JSON -> "json";
            case PolicyPackage.ZIP -> "zip";
            default -> throw new IllegalArgumentException("unknown package format");
        };
        Path folder = base.resolve(policyId).normalize();
        if (!base.equals(folder.getParent())) {
            throw new IllegalArgumentException("not a safe policy id");
        }
        return folder.resolve(sha256 + "." + extension);
    }
}
