package stream.core;

/**
 * Measures how deeply a JSON text nests arrays and objects, without parsing it. minimal-json parses recursively, so
 * "[[[[..." from a hostile control server or API client would overflow the stack; such input is refused before it
 * is parsed.
 */
public final class JsonNesting {
    /** Far deeper than any body or event of the contract (which nest 2 levels). */
    public static final int MAX_DEPTH = 32;

    private JsonNesting() {
    }

    /** Whether {@code text} opens more than {@code max} arrays or objects inside each other. */
    public static boolean deeperThan(String text, int max) {
        int depth = 0;
        boolean inString = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '[' || c == '{') {
                if (++depth > max) {
                    return true;
                }
            } else if (c == ']' || c == '}') {
                depth--;
            }
        }
        return false;
    }
}
