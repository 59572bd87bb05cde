package stream.core.ffmpeg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import stream.core.ValidationException;

class ArgsTokenizerTest {

    @Test
    void theArchitectureDefaultSplitsWithTheFilterUnquoted() {
        List<String> words = ArgsTokenizer.tokenize("-c:v libx264 -preset veryfast -b:v 4500k -maxrate 5000k"
                + " -bufsize 10000k -vf \"scale=1920:1080\" -c:a aac -b:a 128k -ar 44100 -f flv");
        assertEquals(List.of("-c:v", "libx264", "-preset", "veryfast", "-b:v", "4500k", "-maxrate", "5000k",
                "-bufsize", "10000k", "-vf", "scale=1920:1080", "-c:a", "aac", "-b:a", "128k", "-ar", "44100",
                "-f", "flv"), words);
    }

    @Test
    void anyRunOfWhitespaceSeparatesWords() {
        assertEquals(List.of("a", "b", "c"), ArgsTokenizer.tokenize("  a \t b\n\r\nc  "));
    }

    @Test
    void nothingOrBlankGivesNoWords() {
        assertEquals(List.of(), ArgsTokenizer.tokenize(""));
        assertEquals(List.of(), ArgsTokenizer.tokenize("   \n"));
        assertEquals(List.of(), ArgsTokenizer.tokenize(null));
    }

    @Test
    void singleQuotesKeepEverythingLiterally() {
        assertEquals(List.of("a \"b\" \\n $HOME"), ArgsTokenizer.tokenize("'a \"b\" \\n $HOME'"));
    }

    @Test
    void doubleQuotesEscapeOnlyBackslashQuoteDollarAndBacktick() {
        assertEquals(List.of("\\ \" $ ` \\n \\a"), ArgsTokenizer.tokenize("\"\\\\ \\\" \\$ \\` \\n \\a\""));
    }

    @Test
    void backslashNewlineInDoubleQuotesJoinsLines() {
        assertEquals(List.of("ab"), ArgsTokenizer.tokenize("\"a\\\nb\""));
    }

    @Test
    void backslashOutsideQuotesEscapesTheNextCharacter() {
        assertEquals(List.of("a b", "'", "\"", "x\\y"), ArgsTokenizer.tokenize("a\\ b \\' \\\" x\\\\y"));
    }

    @Test
    void backslashNewlineOutsideQuotesContinuesTheLine() {
        assertEquals(List.of("-b:v", "4500k"), ArgsTokenizer.tokenize("-b:v \\\n4500k"));
        assertEquals(List.of("ab"), ArgsTokenizer.tokenize("a\\\nb"));
    }

    @Test
    void adjacentQuotedAndUnquotedPartsFormOneWord() {
        assertEquals(List.of("scale=1920:1080,fps=30"), ArgsTokenizer.tokenize("scale='1920':\"1080\"',fps=30'"));
    }

    @Test
    void emptyQuotesMakeAnEmptyWord() {
        assertEquals(List.of("-a", "", "-b", ""), ArgsTokenizer.tokenize("-a '' -b \"\""));
    }

    @Test
    void nothingIsExpanded() {
        assertEquals(List.of("$HOME", "~", "*.mp4", "$(id)", "`id`", "#x", "a;b", "a|b", "a&&b"),
                ArgsTokenizer.tokenize("$HOME ~ *.mp4 $(id) \"\\`id\\`\" #x a;b a|b a&&b"));
    }

    @Test
    void anUnterminatedSingleQuoteIsAFieldError() {
        ValidationException e = assertThrows(ValidationException.class,
                () -> ArgsTokenizer.tokenize("-vf 'scale=1920:1080"));
        assertEquals("ffmpeg_params", e.errors().get(0).field());
        assertTrue(e.errors().get(0).message().contains("single quote"), e.getMessage());
    }

    @Test
    void anUnterminatedDoubleQuoteIsAFieldError() {
        ValidationException e = assertThrows(ValidationException.class,
                () -> ArgsTokenizer.tokenize("-vf \"scale=1920:1080"));
        assertEquals("ffmpeg_params", e.errors().get(0).field());
        assertTrue(e.errors().get(0).message().contains("double quote"), e.getMessage());
    }

    @Test
    void anEscapedQuoteDoesNotCloseDoubleQuotes() {
        assertThrows(ValidationException.class, () -> ArgsTokenizer.tokenize("\"abc\\\""));
    }

    @Test
    void aTrailingBackslashIsAFieldError() {
        ValidationException e = assertThrows(ValidationException.class, () -> ArgsTokenizer.tokenize("-b:v 4500k\\"));
        assertEquals("ffmpeg_params", e.errors().get(0).field());
        assertTrue(e.errors().get(0).message().contains("backslash"), e.getMessage());
    }
}
