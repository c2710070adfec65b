/*
 * Verifies the Policy Deployment Pipeline's audit log with nothing but a JDK (17 or later):
 *
 *   java tools/AuditVerify.java [--public-key checkpoint-key.pub.pem]... [--checkpoints FILE]
 *                               [--no-checkpoints] data/audit/audit.jsonl
 *
 * It walks every file of the chain (rotated files <stem>.<seq>.<yyyy-MM-dd><ext> in seq order, then
 * the active file) and checks that each line is one JSON object whose "prevHash" is the previous
 * record's "hash" (64 zeros for the very first) and whose "hash" is the SHA-256 hex of "prevHash"
 * followed by the RFC 8785 canonical JSON of the record without "hash". Then every line of the
 * checkpoint file (default <stem>.checkpoints<ext>) must carry an Ed25519 signature, by one of the
 * given public keys (default: checkpoint-key.pub.pem next to the log), over the RFC 8785 canonical
 * JSON of the line without "signature", and record number "records" must have hash "headHash";
 * so records cut off the end of the log are detected too.
 *
 * Given a folder instead of a log (pipeline.audit.shared-dir, several instances), it verifies every
 * chain in it: audit.<instance>.jsonl with its checkpoints audit.<instance>.checkpoints.jsonl and the
 * key checkpoint-key.<instance>.pub.pem (or the --public-key files), one line per chain.
 *
 * Prints "OK ..." and exits 0, or "BROKEN <file> line <n> (record <n>): <why>" and exits 1;
 * exits 2 when it cannot run (bad arguments, unreadable files). The JSON parser and the RFC 8785
 * canonicalisation below are this file's own, independent of the service's code.
 * See docs/audit.md.
 */

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
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
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

public class AuditVerify {

    static final String GENESIS = "0".repeat(64);

    /** A broken record or checkpoint: where and why. */
    static final class Broken extends Exception {
        Broken(String where, String why) {
            super(where + ": " + why);
        }

        private Broken(String message) {
            super(message);
        }

        /** The same problem, in the chain of {@code instance} of a shared folder. */
        Broken inChain(String instance) {
            return new Broken("chain " + instance + ", " + getMessage());
        }
    }

    public static void main(String[] args) {
        try {
            System.out.println(run(args));
            System.exit(0);
        } catch (Broken broken) {
            System.out.println("BROKEN " + broken.getMessage());
            System.exit(1);
        } catch (IllegalArgumentException | IOException | java.security.GeneralSecurityException e) {
            System.err.println("audit verify: " + e.getMessage());
            System.err.println("usage: java tools/AuditVerify.java [--public-key PEM]... [--checkpoints FILE]"
                    + " [--no-checkpoints] <audit log file, e.g. data/audit/audit.jsonl, or a shared audit folder>");
            System.exit(2);
        }
    }

    static String run(String[] args) throws Broken, IOException, java.security.GeneralSecurityException {
        List<Path> keyFiles = new ArrayList<>();
        Path checkpointFile = null;
        boolean checkpoints = true;
        Path log = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--public-key" -> keyFiles.add(Path.of(value(args, ++i, "--public-key")));
                case "--checkpoints" -> checkpointFile = Path.of(value(args, ++i, "--checkpoints"));
                case "--no-checkpoints" -> checkpoints = false;
                default -> {
                    if (args[i].startsWith("--") || log != null) {
                        throw new IllegalArgumentException("unexpected argument " + args[i]);
                    }
                    log = Path.of(args[i]);
                }
            }
        }
        if (log == null) {
            throw new IllegalArgumentException("no audit log file given");
        }
        if (Files.isDirectory(log)) {
            if (checkpointFile != null) {
                throw new IllegalArgumentException("--checkpoints names one chain's file: not with a folder");
            }
            return runFolder(log.toAbsolutePath().normalize(), keyFiles, checkpoints);
        }
        return runChain(log, keyFiles, checkpointFile, checkpoints);
    }

    /** A shared folder's chain files: audit.<instance>.jsonl, group 1 the instance (no dots, so names never collide). */
    static final Pattern SHARED_CHAIN = Pattern.compile(
            "audit\\.([A-Za-z0-9][A-Za-z0-9_-]{0,62})\\.(?:checkpoints\\.|\\d{6,18}\\.\\d{4}-\\d{2}-\\d{2}\\.)?jsonl");

    /** Every chain of a shared audit folder, each with its instance's published key unless keys are given. */
    static String runFolder(Path dir, List<Path> keyFiles, boolean checkpoints)
            throws Broken, IOException, java.security.GeneralSecurityException {
        java.util.TreeSet<String> instances = new java.util.TreeSet<>();
        try (Stream<Path> listing = Files.list(dir)) {
            listing.forEach(path -> {
                Matcher matcher = SHARED_CHAIN.matcher(path.getFileName().toString());
                if (matcher.matches()) {
                    instances.add(matcher.group(1));
                }
            });
        }
        if (instances.isEmpty()) {
            throw new IOException("no audit chain (audit.<instance>.jsonl) in " + dir);
        }
        StringBuilder report = new StringBuilder("OK " + instances.size() + " chain(s) in " + dir);
        for (String instance : instances) {
            List<Path> keys = keyFiles.isEmpty() ? List.of(dir.resolve("checkpoint-key." + instance + ".pub.pem")) : keyFiles;
            try {
                report.append("\n").append(instance).append(": ")
                        .append(runChain(dir.resolve("audit." + instance + ".jsonl"), new ArrayList<>(keys), null, checkpoints));
            } catch (Broken broken) {
                throw broken.inChain(instance);
            }
        }
        return report.toString();
    }

    static String runChain(Path log, List<Path> keyFiles, Path checkpointFile, boolean checkpoints)
            throws Broken, IOException, java.security.GeneralSecurityException {
        log = log.toAbsolutePath().normalize();
        Path dir = log.getParent();
        String name = log.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        String ext = dot > 0 ? name.substring(dot) : "";

        List<Path> files = chainFiles(dir, stem, ext, log);
        if (files.isEmpty()) {
            throw new IOException("no audit log at " + log);
        }
        List<Map<String, Object>> signed = List.of();
        Path checkpointPath = checkpointFile != null ? checkpointFile : dir.resolve(stem + ".checkpoints" + ext);
        if (checkpoints) {
            if (keyFiles.isEmpty()) {
                keyFiles.add(dir.resolve("checkpoint-key.pub.pem"));
            }
            Map<String, PublicKey> keys = new HashMap<>();
            for (Path keyFile : keyFiles) {
                PublicKey key = readPublicKey(keyFile);
                keys.put(sha256Hex(key.getEncoded()), key);
            }
            if (!Files.exists(checkpointPath)) {
                throw new IOException("no checkpoint file at " + checkpointPath
                        + " (give --checkpoints FILE, or --no-checkpoints to check the chain alone)");
            }
            signed = readCheckpoints(checkpointPath, keys);
        }

        Chain chain = new Chain(signed);
        for (Path file : files) {
            chain.walk(file);
        }
        chain.end(files.get(files.size() - 1));
        return "OK " + chain.records + " record(s) in " + files.size() + " file(s), chain intact, head " + chain.head
                + (checkpoints ? "; " + signed.size() + " signed checkpoint(s) verified" + (signed.isEmpty() ? ""
                : ", the last at record " + number(signed.get(signed.size() - 1).get("records")))
                : "; checkpoints not checked");
    }

    /** A walk along the chain: the head so far, the records counted, the next checkpoint to meet. */
    static final class Chain {
        private final List<Map<String, Object>> signed;
        private String head = GENESIS;
        private long records;
        private int next;

        Chain(List<Map<String, Object>> signed) {
            this.signed = signed;
        }

        void walk(Path file) throws Broken, IOException {
            try (Lines lines = new Lines(file)) {
                long number = 0;
                String line;
                while ((line = lines.next()) != null) {
                    number++;
                    record(file.getFileName() + " line " + number + " (record " + (records + 1) + ")", line);
                }
            }
        }

        private void record(String where, String line) throws Broken {
            if (!line.endsWith("\n")) {
                throw new Broken(where, "the last line has no line end: a torn record");
            }
            Map<String, Object> record;
            try {
                Object parsed = new Json(line.substring(0, line.length() - 1)).document();
                if (!(parsed instanceof Map)) {
                    throw new IllegalArgumentException("not an object");
                }
                @SuppressWarnings("unchecked")
                Map<String, Object> object = (Map<String, Object>) parsed;
                record = object;
            } catch (IllegalArgumentException e) {
                throw new Broken(where, "not a JSON object: " + e.getMessage());
            }
            if (!(record.get("prevHash") instanceof String prevHash) || !(record.get("hash") instanceof String hash)) {
                throw new Broken(where, "no prevHash or hash");
            }
            if (!prevHash.equals(head)) {
                throw new Broken(where, "prevHash " + prevHash + " is not the hash of the record before (" + head
                        + "): a record before it was deleted, inserted or moved, or a file is missing");
            }
            Map<String, Object> content = new LinkedHashMap<>(record);
            content.remove("hash");
            String recomputed = sha256Hex((prevHash + canonical(content)).getBytes(StandardCharsets.UTF_8));
            if (!recomputed.equals(hash)) {
                throw new Broken(where, "hash " + hash + " does not match the record's content (" + recomputed
                        + "): the record was changed");
            }
            head = hash;
            records++;
            while (next < signed.size() && number(signed.get(next).get("records")) == records) {
                Map<String, Object> checkpoint = signed.get(next);
                if (!head.equals(checkpoint.get("headHash"))) {
                    throw new Broken(where, "the checkpoint signed at " + checkpoint.get("time") + " says record "
                            + records + " has hash " + checkpoint.get("headHash") + ", but it has " + head
                            + ": the log was changed after it was signed");
                }
                next++;
            }
        }

        /** After the last file: no checkpoint may count more records than the log holds. */
        void end(Path lastFile) throws Broken {
            if (next < signed.size()) {
                Map<String, Object> cut = signed.get(signed.size() - 1);
                long counted = number(cut.get("records"));
                throw new Broken(lastFile.getFileName() + " end (record " + (records + 1) + ")",
                        "the log ends at record " + records + " but the checkpoint signed at " + cut.get("time")
                                + " counts " + counted + " records: at least " + (counted - records)
                                + " record(s) were cut off the end");
            }
        }
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    /** Rotated files by seq, then the active file. */
    static List<Path> chainFiles(Path dir, String stem, String ext, Path active) throws IOException {
        Pattern rotated = Pattern.compile(Pattern.quote(stem) + "\\.(\\d{6,18})\\.(\\d{4}-\\d{2}-\\d{2})" + Pattern.quote(ext));
        TreeMap<Long, Path> bySeq = new TreeMap<>();
        try (Stream<Path> listing = Files.list(dir)) {
            listing.forEach(path -> {
                Matcher matcher = rotated.matcher(path.getFileName().toString());
                if (matcher.matches()) {
                    bySeq.put(Long.parseLong(matcher.group(1)), path);
                }
            });
        }
        List<Path> files = new ArrayList<>(bySeq.values());
        if (Files.exists(active)) {
            files.add(active);
        }
        return files;
    }

    static List<Map<String, Object>> readCheckpoints(Path file, Map<String, PublicKey> keys)
            throws Broken, IOException, java.security.GeneralSecurityException {
        List<Map<String, Object>> checkpoints = new ArrayList<>();
        List<String> lines = lines(file);
        long previous = 0;
        for (int i = 0; i < lines.size(); i++) {
            String where = file.getFileName() + " line " + (i + 1);
            String line = lines.get(i);
            if (!line.endsWith("\n")) {
                throw new Broken(where, "the last checkpoint has no line end: torn");
            }
            Map<String, Object> checkpoint;
            try {
                @SuppressWarnings("unchecked")
                Map<String, Object> parsed = (Map<String, Object>) new Json(line.substring(0, line.length() - 1)).document();
                checkpoint = parsed;
            } catch (IllegalArgumentException | ClassCastException e) {
                throw new Broken(where, "not a JSON object");
            }
            if (!(checkpoint.get("signature") instanceof String signature) || !(checkpoint.get("records") instanceof BigDecimal)
                    || !(checkpoint.get("headHash") instanceof String) || !"Ed25519".equals(checkpoint.get("algorithm"))) {
                throw new Broken(where, "not a checkpoint (records, headHash, algorithm Ed25519 and signature)");
            }
            PublicKey key = keys.get(String.valueOf(checkpoint.get("keyId")));
            if (key == null) {
                throw new Broken(where, "signed by a key not given (keyId " + checkpoint.get("keyId") + ")");
            }
            Map<String, Object> unsigned = new LinkedHashMap<>(checkpoint);
            unsigned.remove("signature");
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(key);
            verifier.update(canonical(unsigned).getBytes(StandardCharsets.UTF_8));
            boolean valid;
            try {
                valid = verifier.verify(Base64.getDecoder().decode(signature));
            } catch (IllegalArgumentException | java.security.SignatureException e) {
                valid = false;
            }
            if (!valid) {
                throw new Broken(where, "the signature does not verify: the checkpoint was changed or forged");
            }
            long records = number(checkpoint.get("records"));
            if (records < Math.max(1, previous)) {
                throw new Broken(where, "counts " + records + " records, fewer than the checkpoint before it (" + previous + ")");
            }
            previous = records;
            checkpoints.add(checkpoint);
        }
        return checkpoints;
    }

    /** The file's lines, each with its "\n" (a last line without one is torn). */
    static List<String> lines(Path file) throws IOException {
        List<String> lines = new ArrayList<>();
        try (Lines reader = new Lines(file)) {
            String line;
            while ((line = reader.next()) != null) {
                lines.add(line);
            }
        }
        return lines;
    }

    /** Reads a file a line at a time, so a log of any size fits in memory. */
    static final class Lines implements AutoCloseable {
        private final InputStream in;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream(1024);

        Lines(Path file) throws IOException {
            this.in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        }

        /** @return the next line with its "\n", the last one without if it has none, or null at the end */
        String next() throws IOException {
            line.reset();
            int b;
            while ((b = in.read()) >= 0) {
                line.write(b);
                if (b == '\n') {
                    break;
                }
            }
            return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    static PublicKey readPublicKey(Path pem) throws IOException, java.security.GeneralSecurityException {
        String text = Files.readString(pem, StandardCharsets.US_ASCII);
        int from = text.indexOf("-----BEGIN PUBLIC KEY-----");
        int to = text.indexOf("-----END PUBLIC KEY-----");
        if (from < 0 || to < from) {
            throw new IllegalArgumentException(pem + " is not a PEM public key");
        }
        byte[] der = Base64.getMimeDecoder().decode(text.substring(from + "-----BEGIN PUBLIC KEY-----".length(), to));
        return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
    }

    static long number(Object value) {
        return ((BigDecimal) value).longValueExact();
    }

    static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- RFC 8785 (JSON Canonicalization Scheme) ------------------------------------------------

    /** Canonical JSON of a parsed value: keys sorted by UTF-16 code units, no whitespace, ES number form. */
    static String canonical(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out);
        return out.toString();
    }

    @SuppressWarnings("unchecked")
    private static void write(Object value, StringBuilder out) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof Boolean b) {
            out.append(b);
        } else if (value instanceof String s) {
            quote(s, out);
        } else if (value instanceof BigDecimal n) {
            out.append(number(n));
        } else if (value instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                write(list.get(i), out);
            }
            out.append(']');
        } else {
            TreeMap<String, Object> sorted = new TreeMap<>((Map<String, Object>) value); // String order = UTF-16 units
            out.append('{');
            boolean first = true;
            for (Map.Entry<String, Object> entry : sorted.entrySet()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                quote(entry.getKey(), out);
                out.append(':');
                write(entry.getValue(), out);
            }
            out.append('}');
        }
    }

    private static void quote(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /**
     * ECMAScript Number.prototype.toString of the IEEE 754 double nearest to the JSON number.
     * Integers up to 2^53 (all this log writes) are exact; other values use the shortest decimal
     * form Java finds, which matches ECMAScript for all but rare doubles on JDKs before 19.
     */
    private static String number(BigDecimal value) {
        double d = value.doubleValue();
        if (Double.isInfinite(d) || Double.isNaN(d)) {
            throw new IllegalArgumentException("number out of range");
        }
        if (d == 0) {
            return "0";
        }
        BigDecimal shortest = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        String digits = shortest.unscaledValue().abs().toString();
        int n = digits.length() - shortest.scale(); // decimal exponent: value = 0.digits * 10^n
        StringBuilder out = new StringBuilder(d < 0 ? "-" : "");
        int k = digits.length();
        if (k <= n && n <= 21) {
            out.append(digits).append("0".repeat(n - k));
        } else if (0 < n && n <= 21) {
            out.append(digits, 0, n).append('.').append(digits.substring(n));
        } else if (-6 < n && n <= 0) {
            out.append("0.").append("0".repeat(-n)).append(digits);
        } else {
            int e = n - 1;
            out.append(digits.charAt(0));
            if (k > 1) {
                out.append('.').append(digits.substring(1));
            }
            out.append('e').append(e < 0 ? "-" : "+").append(Math.abs(e));
        }
        return out.toString();
    }

    // ---- A strict JSON parser (RFC 8259; duplicate names refused) --------------------------------

    static final class Json {
        private final String text;
        private int at;

        Json(String text) {
            this.text = text;
        }

        Object document() {
            Object value = value();
            space();
            if (at != text.length()) {
                throw error("trailing content");
            }
            return value;
        }

        private Object value() {
            space();
            if (at >= text.length()) {
                throw error("unexpected end");
            }
            char c = text.charAt(at);
            return switch (c) {
                case '{' -> object();
                case '[' -> array();
                case '"' -> string();
                case 't' -> literal("true", Boolean.TRUE);
                case 'f' -> literal("false", Boolean.FALSE);
                case 'n' -> literal("null", null);
                default -> numberToken();
            };
        }

        private Map<String, Object> object() {
            Map<String, Object> map = new LinkedHashMap<>();
            at++;
            space();
            if (peek('}')) {
                at++;
                return map;
            }
            while (true) {
                space();
                if (!peek('"')) {
                    throw error("expected a name");
                }
                String name = string();
                space();
                expect(':');
                if (map.containsKey(name)) {
                    throw error("duplicate name \"" + name + "\"");
                }
                map.put(name, value());
                space();
                if (peek(',')) {
                    at++;
                } else {
                    expect('}');
                    return map;
                }
            }
        }

        private List<Object> array() {
            List<Object> list = new ArrayList<>();
            at++;
            space();
            if (peek(']')) {
                at++;
                return list;
            }
            while (true) {
                list.add(value());
                space();
                if (peek(',')) {
                    at++;
                } else {
                    expect(']');
                    return list;
                }
            }
        }

        private String string() {
            at++;
            StringBuilder out = new StringBuilder();
            while (true) {
                if (at >= text.length()) {
                    throw error("unterminated string");
                }
                char c = text.charAt(at++);
                if (c == '"') {
                    return out.toString();
                }
                if (c < 0x20) {
                    throw error("control character in string");
                }
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                if (at >= text.length()) {
                    throw error("unterminated escape");
                }
                char e = text.charAt(at++);
                switch (e) {
                    case '"', '\\', '/' -> out.append(e);
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'u' -> {
                        if (at + 4 > text.length()) {
                            throw error("short \\u escape");
                        }
                        out.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
                        at += 4;
                    }
                    default -> throw error("bad escape \\" + e);
                }
            }
        }

        private Object numberToken() {
            Matcher matcher = Pattern.compile("-?(0|[1-9]\\d*)(\\.\\d+)?([eE][+-]?\\d+)?").matcher(text).region(at, text.length());
            if (!matcher.lookingAt()) {
                throw error("unexpected character '" + text.charAt(at) + "'");
            }
            at = matcher.end();
            return new BigDecimal(matcher.group());
        }

        private Object literal(String word, Object value) {
            if (!text.startsWith(word, at)) {
                throw error("unexpected word");
            }
            at += word.length();
            return value;
        }

        private void space() {
            while (at < text.length() && " \t\r\n".indexOf(text.charAt(at)) >= 0) {
                at++;
            }
        }

        private boolean peek(char c) {
            return at < text.length() && text.charAt(at) == c;
        }

        private void expect(char c) {
            if (!peek(c)) {
                throw error("expected '" + c + "'");
            }
            at++;
        }

        private IllegalArgumentException error(String why) {
            return new IllegalArgumentException(why + " at character " + (at + 1));
        }
    }
}
