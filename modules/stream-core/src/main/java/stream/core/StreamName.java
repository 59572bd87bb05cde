package stream.core;

import java.util.regex.Pattern;

/**
 * A stream's name (contract §7): 1–32 characters of {@code a–z}, {@code 0–9} and {@code -}. Holding one means it was
 * checked: the only way in is {@link #of}.
 */
public record StreamName(String value) {
    private static final Pattern RULE = Pattern.compile("[a-z0-9-]{1,32}");
    /** The initial stream's name; it cannot be deleted. */
    public static final String DEFAULT = "default";

    public StreamName {
        if (value == null || !RULE.matcher(value).matches()) {
            throw new ValidationException("name", "must be 1 to 32 characters of a-z, 0-9 and -");
        }
    }

    /** The name, or a {@link ValidationException} for field {@code name} saying what a name may hold. */
    public static StreamName of(String value) {
        return new StreamName(value);
    }

    /** Whether {@code ref} could be a name (and so is worth looking up as one). */
    public static boolean looksLikeName(String ref) {
        return ref != null && RULE.matcher(ref).matches();
    }

    @Override
    public String toString() {
        return value;
    }
}
