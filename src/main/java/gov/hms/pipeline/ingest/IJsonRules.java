package gov.hms.pipeline.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import gov.hms.pipeline.packaging.CanonicalJson;
import gov.hms.pipeline.packaging.EcmaScriptNumber;
import gov.hms.pipeline.validation.ValidationError;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The I-JSON rules (RFC 7493) a policy must follow because its hash and signature are taken over its
 * RFC 8785 canonical form:
 * <ul>
 * <li>section 2.1: strings and member names are Unicode text, so no lone UTF-16 surrogate
 * (U+D800 escaped alone in a string); RFC 8785 has no form for one, and a lossy one would give two policies one hash;</li>
 * <li>section 2.2: a number must name one IEEE 754 double, because RFC 8785 writes it as that double's
 * ECMAScript text ({@link EcmaScriptNumber}). Accepted: a value a double holds exactly
 * ({@code 9007199254740992}, {@code 1152921504606846976}) and the shortest text of a double
 * ({@code 1e23}, {@code 5e-324}), which is all the service itself ever writes. Refused: values between two
 * doubles ({@code 9007199254740993}, {@code 0.30000000000000001}), beyond the largest ({@code 1e400})
 * or too small to be anything but 0 ({@code 1e-400}): canonicalizing them would change the number.</li>
 * </ul>
 * Parsed with Jackson's exact types (BigDecimal, BigInteger), so nothing is rounded before this check.
 */
final class IJsonRules {

    private static final String SEND_AS_STRING = "send it as a string (I-JSON, RFC 7493 section 2.2)";

    private IJsonRules() {
    }

    /** @return every breach in {@code document}, each at its JSON Pointer (RFC 6901), in document order */
    static List<ValidationError> check(JsonNode document) {
        List<ValidationError> errors = new ArrayList<>();
        walk(document, "", errors);
        return errors;
    }

    private static void walk(JsonNode node, String pointer, List<ValidationError> errors) {
        if (node.isNumber()) {
            String problem = numberProblem(node);
            if (problem != null) {
                errors.add(new ValidationError(pointer, problem));
            }
        } else if (node.isTextual()) {
            int lone = CanonicalJson.loneSurrogateAt(node.textValue());
            if (lone >= 0) {
                errors.add(new ValidationError(pointer, loneSurrogate("the string", node.textValue(), lone)));
            }
        } else if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> member = it.next();
                String name = member.getKey();
                String path = pointer + "/" + PolicyParser.escapePointer(CanonicalJson.wellFormed(name));
                int lone = CanonicalJson.loneSurrogateAt(name);
                if (lone >= 0) {
                    errors.add(new ValidationError(path, loneSurrogate("the member name", name, lone)));
                } else {
                    walk(member.getValue(), path, errors);
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                walk(node.get(i), pointer + "/" + i, errors);
            }
        }
    }

    /** @return why {@code number} is not I-JSON, or {@code null} if it names one double */
    private static String numberProblem(JsonNode number) {
        BigDecimal value = number.isIntegralNumber() ? new BigDecimal(number.bigIntegerValue()) : number.decimalValue();
        double nearest = value.doubleValue();
        String text = number.asText();
        if (Double.isInfinite(nearest)) {
            return "number " + text + " is beyond the range of an IEEE 754 double; " + SEND_AS_STRING;
        }
        if (nearest == 0 && value.signum() != 0) {
            return "number " + text + " is too small for an IEEE 754 double (it would become 0); " + SEND_AS_STRING;
        }
        String canonical = EcmaScriptNumber.toString(nearest);
        if (new BigDecimal(nearest).compareTo(value) == 0 || new BigDecimal(canonical).compareTo(value) == 0) {
            return null;
        }
        return "number " + text + " is not an IEEE 754 double: the nearest is " + canonical
                + ", which RFC 8785 would write instead; send " + canonical + ", or " + SEND_AS_STRING;
    }

    /** The message names the code unit and shows the text with it escaped, so the answer stays valid UTF-8. */
    private static String loneSurrogate(String what, String text, int index) {
        return String.format("%s \"%s\" holds a lone UTF-16 surrogate U+%04X at index %d, which is not Unicode text"
                + " (I-JSON, RFC 7493 section 2.1)", what, escaped(text), (int) text.charAt(index), index);
    }

    private static String escaped(String text) {
        String shown = CanonicalJson.escapeLoneSurrogates(text);
        if (shown.length() <= 60) {
            return shown;
        }
        int end = Character.isLowSurrogate(shown.charAt(60)) ? 59 : 60; // never cut a pair in two
        return shown.substring(0, end) + "…";
    }
}
