package gov.hms.pipeline.inbox;

import java.nio.file.Path;

/**
 * One file picked up from the inbox, as read once at pick-up (exchange property {@value #PROPERTY}).
 *
 * @param name  the file's name as the operating system lists it (not a path)
 * @param path  the file's absolute path in the inbox
 * @param size  its length in bytes at pick-up
 * @param owner the file's owner as the operating system reports it, or {@code unknown}
 * @param bytes its content; of a very large file only the start, enough to reject it as too large
 */
record InboxFile(String name, Path path, long size, String owner, byte[] bytes) {

    static final String PROPERTY = "inboxFile";

    /** How the file is named in logs, audit details and errors: quoted, so spaces and dots stay visible. */
    String quotedName() {
        return "'" + name + "'";
    }
}
