package gov.hms.pipeline.inbox;

import gov.hms.pipeline.config.PipelineConfig;
import io.quarkus.logging.Log;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.CamelContext;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.DefaultPollingConsumerPollStrategy;
import org.apache.camel.support.DefaultExchange;

/**
 * The inbox's poll strategy ({@code pollStrategy}): before each poll, refuses the entries Camel's file
 * consumer never hands to the route although they are named like a policy: a directory named
 * {@code *.json} and a symbolic link to one (the consumer, not recursive, skips directories), and a
 * dangling link (the consumer lists it, but its move tests the target's existence, so it could not move it).
 * Each goes through {@code direct:deploy} like every other non-regular entry ({@link InboxEntryType}:
 * 415 "Not a regular file", audited {@code received}, {@code rejected}, {@code failed}), then is moved,
 * itself and unopened, to the failed folder with its {@code <name>.error.json}.
 * <p>
 * Other sub-folders (a done or failed folder inside the inbox, say) are left alone. An entry is taken
 * once it has been quiet for {@code pipeline.inbox.quiet-period} and its claim in the ledger
 * ({@link InboxClaims}) is this instance's. One that cannot be moved (a failed folder on another file
 * system cannot take a non-empty directory by rename) is refused once and then left in place.
 */
@Singleton
@Named("inboxStrays")
public class InboxStrays extends DefaultPollingConsumerPollStrategy {

    private final Path inbox;
    private final Duration quietPeriod;
    private final InboxClaims claims;
    private final InboxFiles inboxFiles;
    private final CamelContext camel;
    private final Set<Path> unmovable = ConcurrentHashMap.newKeySet();
    private volatile ProducerTemplate producer;

    public InboxStrays(PipelineConfig config, InboxClaims claims, InboxFiles inboxFiles, CamelContext camel) {
        this.inbox = config.inbox().dir().toAbsolutePath().normalize();
        this.quietPeriod = config.inbox().quietPeriod();
        this.claims = claims;
        this.inboxFiles = inboxFiles;
        this.camel = camel;
    }

    /** @return always {@code true}: the poll goes on whatever happened to the strays */
    @Override
    public boolean begin(Consumer consumer, Endpoint endpoint) {
        if (camel.getStatus().isStopping() || !Files.isDirectory(inbox)) {
            return true;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(inbox)) {
            for (Path entry : entries) {
                String type = strayType(entry);
                if (type != null && !unmovable.contains(entry) && isQuiet(entry)) {
                    refuse(entry, type);
                }
            }
        } catch (IOException | RuntimeException e) {
            Log.warnf("inbox: could not look for directories and dangling links in %s: %s", inbox, e.toString());
        }
        return true;
    }

    /**
     * @return the inode media type of an entry the file consumer never hands on, or {@code null}
     */
    static String strayType(Path entry) throws IOException {
        String name = entry.getFileName().toString();
        String lower = name.toLowerCase(Locale.ROOT);
        if (name.startsWith(".") || lower.endsWith(".tmp") || lower.endsWith(".part") || lower.endsWith(".jws")) {
            return null; // never read (the route's antExclude), whatever they are
        }
        String type = InboxEntryType.nonRegularType(entry);
        if ("inode/directory".equals(type)) {
            return lower.endsWith(".json") ? type : null;
        }
        if ("inode/symlink".equals(type)) {
            boolean dangling = !Files.exists(entry);
            return dangling || (Files.isDirectory(entry) && lower.endsWith(".json")) ? type : null;
        }
        return null;
    }

    private boolean isQuiet(Path entry) throws IOException {
        FileTime changed;
        try {
            changed = (FileTime) Files.getAttribute(entry, "unix:ctime", LinkOption.NOFOLLOW_LINKS);
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            changed = Files.getLastModifiedTime(entry, LinkOption.NOFOLLOW_LINKS);
        }
        return Duration.between(changed.toInstant(), Instant.now()).compareTo(quietPeriod) >= 0;
    }

    private void refuse(Path entry, String type) throws IOException {
        String name = entry.getFileName().toString();
        try {
            if (!claims.claim(name)) {
                return;
            }
        } catch (SQLException e) {
            throw new IOException("cannot claim inbox entry " + name, e);
        }
        try {
            if (!Files.exists(entry, LinkOption.NOFOLLOW_LINKS)) {
                return; // another instance refused and moved it between the listing and the claim
            }
            Exchange exchange = new DefaultExchange(camel);
            inboxFiles.admitStray(exchange, name, entry, type);
            producer().send("direct:deploy", exchange);
            inboxFiles.settle(exchange);
            Path destination = Path.of(exchange.getProperty(InboxFiles.DESTINATION, String.class));
            try {
                Files.move(entry, destination, LinkOption.NOFOLLOW_LINKS);
            } catch (IOException e) {
                unmovable.add(entry);
                Log.warnf("inbox: could not move %s to %s (%s); it stays in the inbox, refused once: remove it by hand",
                        entry, destination, e.toString());
            }
        } finally {
            claims.release(name);
        }
    }

    private ProducerTemplate producer() {
        if (producer == null) {
            producer = camel.createProducerTemplate();
        }
        return producer;
    }
}
