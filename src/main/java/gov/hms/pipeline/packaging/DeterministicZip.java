package gov.hms.pipeline.packaging;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDateTime;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a ZIP archive (PKWARE APPNOTE) whose bytes depend on nothing but the entries given, so
 * the same entries give the same archive on every run and every machine:
 * <ul>
 * <li>entries in the order given, names as given (the caller's fixed names, UTF-8);</li>
 * <li>method STORED: compressed bytes would depend on the zlib build of the machine;</li>
 * <li>every entry time is 1980-02-01 00:00:00, set without a time zone ({@link ZipEntry#setTimeLocal}),
 * so no extended-timestamp extra field (which holds Unix time, and so the machine's zone) is
 * written. Not the DOS epoch 1980-01-01 itself: java.util.zip reads that DOS value as "before
 * 1980" and then adds the extra field (the same reason Gradle's reproducible archives use
 * February 1980);</li>
 * <li>no extra fields, no comments, no file attributes; sizes and CRC-32 are known up front, so
 * no data descriptors.</li>
 * </ul>
 * Used instead of camel-zipfile, which writes one entry per message.
 */
public final class DeterministicZip {

    /** The fixed modification time of every entry (local time as DOS stores it, no zone). */
    public static final LocalDateTime ENTRY_TIME = LocalDateTime.of(1980, 2, 1, 0, 0, 0);

    /**
     * One file of the archive.
     *
     * @param name  its path inside the archive, fixed by the service (never taken from input)
     * @param bytes its content
     */
    public record Entry(String name, byte[] bytes) {
    }

    private DeterministicZip() {
    }

    /** @return the archive holding {@code entries}, in that order */
    public static byte[] write(List<Entry> entries) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(buffer)) {
            zip.setMethod(ZipOutputStream.STORED);
            for (Entry entry : entries) {
                CRC32 crc = new CRC32();
                crc.update(entry.bytes());
                ZipEntry zipEntry = new ZipEntry(entry.name());
                zipEntry.setMethod(ZipEntry.STORED);
                zipEntry.setTimeLocal(ENTRY_TIME);
                zipEntry.setSize(entry.bytes().length);
                zipEntry.setCompressedSize(entry.bytes().length);
                zipEntry.setCrc(crc.getValue());
                zip.putNextEntry(zipEntry);
                zip.write(entry.bytes());
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return buffer.toByteArray();
    }
}
