package gov.hms.pipeline.ingest;

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
     * @param prefer the header's value as received (several header lines arrive joined by commas), or {@code null}
     * @return whether it asks for {@code respond-async}
     */
    public static boolean respondAsync(String prefer) {
        if (prefer == null) {
            return false;
        }
        for (String preference : prefer.split(",")) {
            String token = preference.split("[;=]", 2)[0].trim().toLowerCase(Locale.ROOT);
            if (RESPOND_ASYNC.equals(token)) {
                return true;
            }
        }
        return false;
    }
}
