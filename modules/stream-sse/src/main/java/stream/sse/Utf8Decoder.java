package stream.sse;

import java.nio.charset.StandardCharsets;

/**
 * The WHATWG Encoding standard's UTF-8 decoder with replacement, for one complete run of bytes (one line).
 *
 * <p>Hand-written rather than {@link java.nio.charset.CharsetDecoder} so the number of U+FFFD characters for a broken
 * sequence is the one the standard prescribes (one per maximal subpart), whatever the JDK version. Decoding a line at a
 * time equals decoding the whole stream: CR, LF and ':' are ASCII, and the decoder never swallows an ASCII byte into
 * a broken sequence (it emits U+FFFD and "restores" the byte), so a line end is never inside a sequence.
 */
final class Utf8Decoder {
    private static final char REPLACEMENT = '\uFFFD';

    private Utf8Decoder() {
    }

    static String decode(byte[] bytes, int off, int len) {
        int end = off + len;
        int i = off;
        while (i < end && bytes[i] >= 0) {
            i++;
        }
        if (i == end) {
            return new String(bytes, off, len, StandardCharsets.ISO_8859_1);
        }
        StringBuilder out = new StringBuilder(len);
        out.append(new String(bytes, off, i - off, StandardCharsets.ISO_8859_1));
        int needed = 0;
        int seen = 0;
        int codePoint = 0;
        int lower = 0x80;
        int upper = 0xBF;
        while (i < end) {
            int b = bytes[i] & 0xFF;
            if (needed == 0) {
                if (b <= 0x7F) {
                    out.append((char) b);
                } else if (b >= 0xC2 && b <= 0xDF) {
                    needed = 1;
                    codePoint = b & 0x1F;
                } else if (b >= 0xE0 && b <= 0xEF) {
                    // Overlong forms and surrogates are excluded by narrowing the second byte's range.
                    if (b == 0xE0) {
                        lower = 0xA0;
                    } else if (b == 0xED) {
                        upper = 0x9F;
                    }
                    needed = 2;
                    codePoint = b & 0x0F;
                } else if (b >= 0xF0 && b <= 0xF4) {
                    if (b == 0xF0) {
                        lower = 0x90;
                    } else if (b == 0xF4) {
                        upper = 0x8F;
                    }
                    needed = 3;
                    codePoint = b & 0x07;
                } else {
                    out.append(REPLACEMENT);
                }
                i++;
                continue;
            }
            if (b < lower || b > upper) {
                // An unexpected byte ends the sequence with one U+FFFD and is then read again on its own.
                needed = 0;
                seen = 0;
                codePoint = 0;
                lower = 0x80;
                upper = 0xBF;
                out.append(REPLACEMENT);
                continue;
            }
            lower = 0x80;
            upper = 0xBF;
            codePoint = (codePoint << 6) | (b & 0x3F);
            seen++;
            i++;
            if (seen == needed) {
                out.appendCodePoint(codePoint);
                needed = 0;
                seen = 0;
                codePoint = 0;
            }
        }
        if (needed != 0) {
            out.append(REPLACEMENT);
        }
        return out.toString();
    }
}
