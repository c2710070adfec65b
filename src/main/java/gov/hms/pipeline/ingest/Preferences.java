package gov.hms.pipeline.ingest;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code Prefer} request header, RFC 7240 section 2: a comma-separated list of preferences,
 * each a token (case-insensitive), an optional {@code =value}, and optional {@code ;parameters}.
 * Only {@code respond-async} (section 4.1) is honoured; others are ignored, as section 2 allows.
 */
public final class Preferences {

    public static final String PREFER = "Prefer";
    public static final String PREFERENCE_APPLIED = "Preference-Applied";
    public static final String RESPOND_ASYNC = "respond-async";

    private Preferences() {
    }

    /**
     * Several {@code Prefer} fields are one list (RFC 9110 section 5.3): joined with commas.
     *
     * @param header the header as the HTTP consumer gives it: a string, a list of them (one per field), or {@code null}
     * @return the one list, or {@code null}
     */
    public static String joined(Object header) {
        if (header instanceof Iterable<?> fields) {
            StringBuilder list = new StringBuilder();
            for (Object field : fields) {
                list.append(list.length() == 0 ? "" : ",").append(field);
            }
            return list.toString();
        }
        return header == null ? null : header.toString();
    }

    /**
     * @param prefer the header's value as received (several header lines arrive joined by commas), or {@code null}
     * @return whether it asks for {@code respond-async}
     */
    public static boolean respondAsync(String prefer) {
        if (prefer == null) {
            return false;
        }
        for (String preference : preferences(prefer)) {
            String token = preference.split("[;=]", 2)[0].trim().toLowerCase(Locale.ROOT);
            if (RESPOND_ASYNC.equals(token)) {
                return true;
            }
        }
        return false;
    }

    /** The list split at the commas outside quoted-strings (RFC 9110 section 5.6.4, with its backslash escapes). */
    private static List<String> preferences(String prefer) {
        List<String> preferences = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < prefer.length(); i++) {
            char c = prefer.charAt(i);
            if (quoted && c == '\\' && i + 1 < prefer.length()) {
                current.append(c).append(prefer.charAt(++i));
                continue;
            }
            if (c == '"') {
                quoted = !quoted;
            } else if (c == ',' && !quoted) {
                preferences.add(current.toString());
                current.setLength(0);
                continue;
            }
            current.append(c);
        }
        preferences.add(current.toString());
        return preferences;
    }
}
