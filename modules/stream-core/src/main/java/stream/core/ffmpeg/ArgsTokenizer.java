package stream.core.ffmpeg;

import java.util.ArrayList;
import java.util.List;

import stream.core.ValidationException;

/**
 * Splits an ffmpeg_params string into words the way a POSIX shell's quoting would, without a shell: no variable,
 * glob, tilde or command expansion, and no comments ({@code $HOME}, {@code *} and {@code #} stay literal).
 */
public final class ArgsTokenizer {
    static final String FIELD = "ffmpeg_params";

    private ArgsTokenizer() {
    }

    /**
     * The words of {@code text}. Whitespace separates words; single quotes keep everything literally; inside double
     * quotes a backslash escapes only {@code \ " $ `} and newline; outside quotes a backslash escapes any character
     * (a backslash-newline joins lines); quoted and unquoted parts next to each other form one word; {@code ''} is an
     * empty word.
     *
     * @throws ValidationException on field ffmpeg_params for an unterminated quote or a trailing backslash
     */
    public static List<String> tokenize(String text) {
        List<String> words = new ArrayList<>();
        if (text == null) {
            return words;
        }
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (c == '\'') {
                int end = text.indexOf('\'', i + 1);
                if (end < 0) {
                    throw new ValidationException(FIELD, "has a single quote (') at character " + (i + 1)
                            + " that is never closed");
                }
                word.append(text, i + 1, end);
                inWord = true;
                i = end + 1;
            } else if (c == '"') {
                i = readDoubleQuoted(text, i, word);
                inWord = true;
            } else if (c == '\\') {
                if (i + 1 >= n) {
                    throw new ValidationException(FIELD, "ends with a backslash (\\) that escapes nothing");
                }
                char next = text.charAt(i + 1);
                if (next != '\n') {
                    word.append(next);
                    inWord = true;
                }
                i += 2;
            } else if (isBlank(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
                i++;
            } else {
                word.append(c);
                inWord = true;
                i++;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }

    /** Appends the double-quoted part starting at {@code open} to {@code word}; returns the index after its end. */
    private static int readDoubleQuoted(String text, int open, StringBuilder word) {
        int i = open + 1;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (c == '"') {
                return i + 1;
            }
            if (c == '\\' && i + 1 < n) {
                char next = text.charAt(i + 1);
                if (next == '\n') {
                    i += 2;
                    continue;
                }
                if (next == '\\' || next == '"' || next == '$' || next == '`') {
                    word.append(next);
                    i += 2;
                    continue;
                }
            }
            word.append(c);
            i++;
        }
        throw new ValidationException(FIELD, "has a double quote (\") at character " + (open + 1)
                + " that is never closed");
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0B;
    }
}
