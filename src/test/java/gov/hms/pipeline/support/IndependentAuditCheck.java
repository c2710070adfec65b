package gov.hms.pipeline.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checks an audit log the way an outside auditor would, without the service's code: its own
 * file ordering, its own RFC 8785 canonicalisation and the JDK's SHA-256 and Ed25519. The records
 * and checkpoints hold only strings, integers and nulls, so RFC 8785 here is: names sorted by
 * UTF-16 code units, no whitespace, integers in plain decimal, and JSON string escaping of
 * control characters, quote and backslash (everything else literal, UTF-8).
 */
public final class IndependentAuditCheck {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String GENESIS = "0".repeat(64);

    private IndependentAuditCheck() {
    }

    /**
     * The log's files in chain order: {@code <stem>.NNNNNN.yyyy-MM-dd.jsonl} by number, then the active
     * {@code <stem>.jsonl} ({@code audit.jsonl}, or {@code audit.<instance>.jsonl} in a shared folder).
     */
    public static List<Path> files(Path activeFile) {
        String stem = activeFile.getFileName().toString().replaceFirst("\\.jsonl$", "");
        Pattern rotated = Pattern.compile(Pattern.quote(stem) + "\\.(\\d{6,})\\.\\d{4}-\\d{2}-\\d{2}\\.jsonl");
        TreeMap<Long, Path> bySeq = new TreeMap<>();
        try (Stream<Path> listing = Files.list(activeFile.getParent())) {
            listing.forEach(path -> {
                Matcher matcher = rotated.matcher(path.getFileName().toString());
                if (matcher.matches()) {
                    bySeq.put(Long.parseLong(matcher.group(1)), path);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Path> files = new ArrayList<>(bySeq.values());
        if (Files.exists(activeFile)) {
            files.add(activeFile);
        }
        return files;
    }

    /** Every record of every file, in chain order; fails if any line is not JSON. */
    public static List<JsonNode> records(Path activeFile) {
        List<JsonNode> records = new ArrayList<>();
        for (Path file : files(activeFile)) {
            records.addAll(AuditLogReader.records(file));
        }
        return records;
    }

    /**
     * Recomputes every hash and link from the genesis hash.
     *
     * @return the head hash
     * @throws AssertionError naming the first record that does not hold
     */
    public static String assertChain(List<JsonNode> records) {
        String previous = GENESIS;
        int number = 0;
        for (JsonNode record : records) {
            number++;
            if (!record.path("prevHash").asText().equals(previous)) {
                throw new AssertionError("record " + number + ": prevHash is not the previous hash");
            }
            if (!record.path("hash").asText().equals(hash(record))) {
                throw new AssertionError("record " + number + ": hash does not match its content");
            }
            previous = record.path("hash").asText();
        }
        return previous;
    }

    /** SHA-256 hex of prevHash followed by the canonical JSON of the record without "hash". */
    public static String hash(JsonNode record) {
        return sha256Hex(record.path("prevHash").asText() + canonical(record, "hash"));
    }

    /**
     * Checks every checkpoint's Ed25519 signature with the public key PEM, and that the record it
     * counts to has the hash it signed.
     *
     * @return how many checkpoints were checked
     */
    public static int assertCheckpoints(Path checkpointFile, Path publicKeyPem, List<JsonNode> records) {
        try {
            String pem = Files.readString(publicKeyPem);
            String base64 = pem.replace("-----BEGIN PUBLIC KEY-----", "").replace("-----END PUBLIC KEY-----", "");
            PublicKey key = KeyFactory.getInstance("Ed25519")
                    .generatePublic(new X509EncodedKeySpec(Base64.getMimeDecoder().decode(base64)));
            List<JsonNode> checkpoints = AuditLogReader.records(checkpointFile);
            for (JsonNode checkpoint : checkpoints) {
                Signature signature = Signature.getInstance("Ed25519");
                signature.initVerify(key);
                signature.update(canonical(checkpoint, "signature").getBytes(StandardCharsets.UTF_8));
                if (!signature.verify(Base64.getDecoder().decode(checkpoint.path("signature").asText()))) {
                    throw new AssertionError("checkpoint " + checkpoint + ": signature does not verify");
                }
                int count = checkpoint.path("records").asInt();
                if (count > records.size()
                        || !records.get(count - 1).path("hash").asText().equals(checkpoint.path("headHash").asText())) {
                    throw new AssertionError("checkpoint at " + count + " records does not match the log");
                }
            }
            return checkpoints.size();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String canonical(JsonNode object, String without) {
        TreeMap<String, JsonNode> sorted = new TreeMap<>();
        for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!name.equals(without)) {
                sorted.put(name, object.get(name));
            }
        }
        StringBuilder canonical = new StringBuilder("{");
        sorted.forEach((name, value) -> {
            if (canonical.length() > 1) {
                canonical.append(',');
            }
            canonical.append(quote(name)).append(':');
            if (value.isNull()) {
                canonical.append("null");
            } else if (value.isIntegralNumber()) {
                canonical.append(value.asLong());
            } else if (value.isTextual()) {
                canonical.append(quote(value.asText()));
            } else {
                throw new AssertionError("field " + name + " is neither a string, an integer nor null: " + value);
            }
        });
        return canonical.append('}').toString();
    }

    private static String quote(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    private static String sha256Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parses one JSON line (tests that edit lines). */
    public static JsonNode parse(String line) {
        try {
            return MAPPER.readTree(line);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
