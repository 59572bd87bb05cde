package stream.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static stream.sse.ParseRun.allWays;
import static stream.sse.ParseRun.concat;
import static stream.sse.ParseRun.utf8;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/**
 * Conformance with the WHATWG HTML standard, §9.2.5 "Parsing an event stream" and §9.2.6 "Interpreting an event
 * stream". Every stream goes through {@link ParseRun#allWays}, which also checks that chunking changes nothing.
 */
class SseParserTest {
    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    private static SseEvent message(String data, String id) {
        return new SseEvent("message", data, id);
    }

    @Test
    void dispatchesDataOnABlankLine() {
        ParseRun.Result r = allWays(utf8("data: hello\n\n"));
        assertEquals(List.of(message("hello", "")), r.dispatched());
        assertFalse(r.discardedAtEnd());
    }

    @Test
    void stripsOneLeadingBom() {
        assertEquals(List.of(message("a", "")), allWays(concat(BOM, utf8("data: a\n\n"))).dispatched());
    }

    @Test
    void aSecondBomIsPartOfTheFieldNameSoTheFieldIsIgnored() {
        // Only the UTF-8 decode step strips a BOM, and only one: the next U+FEFF makes the name "\uFEFFdata".
        assertEquals(List.of(), allWays(concat(BOM, BOM, utf8("data: a\n\n"))).dispatched());
    }

    @Test
    void aBomLaterInTheStreamIsKeptAsACharacter() {
        ParseRun.Result r = allWays(concat(utf8("data: a\n\n"), BOM, utf8("data: b\n\ndata: "), BOM, utf8("c\n\n")));
        assertEquals(List.of(message("a", ""), message("\uFEFFc", "")), r.dispatched());
    }

    @Test
    void aBomAloneOnTheFirstLineLeavesABlankLine() {
        assertEquals(List.of(message("x", "")), allWays(concat(BOM, utf8("\ndata: x\n\n"))).dispatched());
    }

    @Test
    void linesEndWithCrLfCrOrLfMixed() {
        ParseRun.Result r = allWays(utf8("data: a\r\ndata: b\rdata: c\ndata: d\r\n\r"
                + "event: e\rdata: f\n\n" + "data: g\r\r"));
        assertEquals(List.of(message("a\nb\nc\nd", ""), new SseEvent("e", "f", ""), message("g", "")),
                r.dispatched());
    }

    @Test
    void crAndLfInDifferentChunksAreOneLineEnd() {
        byte[] stream = utf8("data: a\r\ndata: b\r\n\r\n");
        // Cut right between each CR and its LF: a parser that ends the line at CR and again at LF sees blank lines.
        List<Integer> cuts = List.of(8, 1, 8, 1, 1, 1);
        ParseRun.Result r = ParseRun.chunked(stream, cuts, SseParser.DEFAULT_MAX_BYTES, false);
        assertEquals(List.of(message("a\nb", "")), r.dispatched());
        assertEquals(r, allWays(stream));
    }

    @Test
    void crCrIsTwoLineEndsAndLfCrIsTwoLineEnds() {
        assertEquals(List.of(message("a", "")), allWays(utf8("data: a\r\r")).dispatched());
        assertEquals(List.of(message("a", "")), allWays(utf8("data: a\n\r")).dispatched());
    }

    @Test
    void unicodeLineAndParagraphSeparatorsAndNelAreNotLineEnds() {
        String odd = "a\u2028b\u2029c\u0085d\u000Be\u000Cf";
        ParseRun.Result r = allWays(utf8("data: " + odd + "\n\n"));
        assertEquals(List.of(message(odd, "")), r.dispatched());
    }

    @Test
    void invalidUtf8BecomesReplacementCharacters() {
        byte[] stream = concat(utf8("data: <"), new byte[] {(byte) 0xFF, 'x', (byte) 0xC3, 'y', (byte) 0xE2,
            (byte) 0x82, 'z', (byte) 0xED, (byte) 0xA0, (byte) 0x80, (byte) 0xC0, (byte) 0x80}, utf8(">\n"),
            utf8("data: end"), new byte[] {(byte) 0xF0, (byte) 0x9F}, utf8("\n\n"));
        ParseRun.Result r = allWays(stream);
        assertEquals(List.of(message("<\uFFFDx\uFFFDy\uFFFDz\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD>\nend\uFFFD", "")),
                r.dispatched());
    }

    @Test
    void multiByteCharactersSplitAcrossChunksDecodeCorrectly() {
        String text = "\u00e9\u20ac\uD834\uDD1E\u65e5";
        byte[] stream = utf8("data: " + text + "\n\n");
        List<Integer> cuts = new ArrayList<>();
        cuts.add(7); // "data: " and the first byte of é
        for (int i = 7; i < stream.length; i++) {
            cuts.add(1);
        }
        assertEquals(List.of(message(text, "")),
                ParseRun.chunked(stream, cuts, SseParser.DEFAULT_MAX_BYTES, false).dispatched());
        assertEquals(List.of(message(text, "")), allWays(stream).dispatched());
    }

    @Test
    void oneSpaceAfterTheColonIsRemovedAndNoMore() {
        ParseRun.Result r = allWays(utf8("data:a\ndata: b\ndata:  c\ndata:\td\n\n"));
        assertEquals(List.of(message("a\nb\n c\n\td", "")), r.dispatched());
    }

    @Test
    void aFieldWithoutColonHasAnEmptyValue() {
        assertEquals(List.of(message("", "")), allWays(utf8("data\n\n")).dispatched());
        assertEquals(List.of(message("\n", "")), allWays(utf8("data\ndata\n\n")).dispatched());
    }

    @Test
    void onlyTheFirstColonSeparatesNameAndValue() {
        assertEquals(List.of(message("a:b\n:c", "")), allWays(utf8("data: a:b\ndata::c\n\n")).dispatched());
    }

    @Test
    void multipleDataLinesAreJoinedWithLf() {
        assertEquals(List.of(message("one\ntwo\nthree", "")),
                allWays(utf8("data: one\ndata: two\ndata: three\n\n")).dispatched());
    }

    @Test
    void onlyOneTrailingLfIsRemoved() {
        assertEquals(List.of(message("a\n", "")), allWays(utf8("data: a\ndata:\n\n")).dispatched());
        assertEquals(List.of(message("\n\n", "")), allWays(utf8("data\ndata\ndata\n\n")).dispatched());
    }

    @Test
    void aBlankLineWithEmptyDataDispatchesNothingButResetsTheType() {
        ParseRun.Result r = allWays(utf8("event: ignored\n\ndata: x\n\n\n\n"));
        assertEquals(List.of(message("x", "")), r.dispatched());
    }

    @Test
    void theEventTypeIsResetAfterEachDispatch() {
        ParseRun.Result r = allWays(utf8("event: url_update\ndata: 1\n\ndata: 2\n\nevent:\ndata: 3\n\n"));
        assertEquals(List.of(new SseEvent("url_update", "1", ""), message("2", ""), message("3", "")),
                r.dispatched());
    }

    @Test
    void theLastEventIdPersistsAcrossEventsUntilChanged() {
        ParseRun.Result r = allWays(utf8("id: 1\ndata: a\n\ndata: b\n\nid: 2\ndata: c\n\nid\ndata: d\n\n"));
        assertEquals(List.of(message("a", "1"), message("b", "1"), message("c", "2"), message("d", "")),
                r.dispatched());
        assertEquals("", r.lastEventId());
    }

    @Test
    void anIdAfterTheDataInTheSameEventStillCounts() {
        assertEquals(List.of(message("a", "7")), allWays(utf8("data: a\nid: 7\n\n")).dispatched());
    }

    @Test
    void anIdContainingNulIsIgnored() {
        ParseRun.Result r = allWays(utf8("id: 1\ndata: a\n\nid: 2\u00003\ndata: b\n\n"));
        assertEquals(List.of(message("a", "1"), message("b", "1")), r.dispatched());
        assertEquals("1", r.lastEventId());
    }

    @Test
    void anEventWithoutDataStillUpdatesTheLastEventId() {
        ParseRun.Result r = allWays(utf8("id: 1\ndata: a\n\nid: 5\n\n"));
        assertEquals(List.of(message("a", "1")), r.dispatched());
        assertEquals("5", r.lastEventId());
        assertFalse(r.discardedAtEnd());
    }

    @Test
    void anIdWithoutItsBlankLineIsNotTheLastEventIdYet() {
        ParseRun.Result r = allWays(utf8("id: 1\ndata: a\n\nid: 2\n"));
        assertEquals("1", r.lastEventId());
        assertTrue(r.discardedAtEnd());
    }

    @Test
    void retryIsReportedOnlyWhenAllAsciiDigits() {
        ParseRun.Result r = allWays(utf8("retry: 1500\nretry: 15a\nretry: -1\nretry:\nretry: 1.5\nretry:  20\n"
                + "retry: \uFF11\uFF12\nretry: 0\nretry: 99999999999999999999999\nretry\n"));
        assertEquals(List.of(1500L, 0L, Long.MAX_VALUE), r.retries());
        assertEquals(List.of(), r.events());
    }

    @Test
    void commentLinesAreIgnored() {
        ParseRun.Result r = allWays(utf8(": hello\n:\ndata: a\n: data: b\n\n:\n\n"));
        assertEquals(List.of(message("a", "")), r.dispatched());
    }

    @Test
    void unknownAndWronglyCasedFieldsAreIgnored() {
        ParseRun.Result r = allWays(utf8("foo: bar\nDATA: x\nData: y\n data: z\nID: 4\nEvent: t\n\ndata: ok\n\n"));
        assertEquals(List.of(message("ok", "")), r.dispatched());
    }

    @Test
    void anUnfinishedEventAtTheEndOfTheStreamIsDiscarded() {
        ParseRun.Result complete = allWays(utf8("data: a\n\ndata: b\n"));
        assertEquals(List.of(message("a", "")), complete.dispatched());
        assertTrue(complete.discardedAtEnd());
        ParseRun.Result partialLine = allWays(utf8("data: a\n\ndata: b"));
        assertEquals(List.of(message("a", "")), partialLine.dispatched());
        assertTrue(partialLine.discardedAtEnd());
        ParseRun.Result endsWithCr = allWays(utf8("data: a\r\n\r"));
        assertEquals(List.of(message("a", "")), endsWithCr.dispatched());
        assertFalse(endsWithCr.discardedAtEnd());
    }

    @Test
    void theContractsTwoUrlUpdateFormsParse() throws IOException {
        byte[] fixture;
        try (InputStream in = Objects.requireNonNull(getClass().getResourceAsStream("/url-updates.sse"))) {
            fixture = in.readAllBytes();
        }
        List<SseEvent> events = allWays(fixture).events();
        assertEquals(3, events.size());
        assertEquals("url_update", events.get(0).type());
        assertEquals("{\"rtsp_url\": \"rtsp://127.0.0.1:8554/cam\", \"rtmp_url\": \"rtmp://127.0.0.1/live/key\", "
                + "\"timestamp\": 1700000000, \"restart_required\": true}", events.get(0).data());
        assertEquals("41", events.get(0).lastEventId());
        assertEquals("message", events.get(1).type());
        assertTrue(events.get(1).data().startsWith("{\"event\": \"url_update\",\n \"data\": {"), events.get(1).data());
        assertEquals("42", events.get(1).lastEventId());
        assertEquals(new SseEvent("heartbeat", "", "42"), events.get(2));
    }

    @Test
    void resetStartsANewStreamButKeepsTheLastEventId() throws SseLimitExceededException {
        List<SseEvent> events = new ArrayList<>();
        SseParser parser = new SseParser(events::add);
        byte[] first = utf8("id: 3\ndata: a\n\nid: 4\nevent: t\ndata: b");
        parser.feed(first, 0, first.length);
        parser.reset();
        byte[] next = concat(BOM, utf8("data: c\n\n"));
        parser.feed(next, 0, next.length);
        // The id 4 never reached a blank line: the stream's last event ID buffer restarts from the committed "3".
        assertEquals(List.of(message("a", "3"), message("c", "3")), events);
        assertEquals("3", parser.lastEventId());
    }

    @Test
    void theInitialLastEventIdIsUsedUntilTheStreamSetsAnother() throws SseLimitExceededException {
        List<SseEvent> events = new ArrayList<>();
        SseParser parser = new SseParser(events::add, 1024, "99");
        byte[] stream = utf8("data: a\n\nid: 100\ndata: b\n\n");
        parser.feed(stream, 0, stream.length);
        assertEquals(List.of(message("a", "99"), message("b", "100")), events);
    }

    @Test
    void aListenerFailureDoesNotAdvanceTheLastEventId() throws SseLimitExceededException {
        List<SseEvent> events = new ArrayList<>();
        SseParser parser = new SseParser(event -> {
            if (event.data().equals("boom")) {
                throw new IllegalStateException("database is locked");
            }
            events.add(event);
        });
        byte[] stream = utf8("id: 1\ndata: ok\n\nid: 2\ndata: boom\n\nid: 3\ndata: later\n\n");
        assertThrows(IllegalStateException.class, () -> parser.feed(stream, 0, stream.length));
        assertEquals("1", parser.lastEventId());
        assertThrows(IllegalStateException.class, () -> parser.feed(stream, 0, 1), "failed until reset");
        parser.reset();
        byte[] again = utf8("id: 2\ndata: fine\n\n");
        parser.feed(again, 0, again.length);
        assertEquals(List.of(message("ok", "1"), message("fine", "2")), events);
    }

    @Test
    void aLineOfExactlyTheLimitIsAcceptedAndOneByteMoreIsNot() {
        assertEquals(List.of(message("0123456789", "")), allWays(utf8("data: 0123456789\n\n"), 16).dispatched());
        ParseRun.Result over = allWays(utf8("data: 01234567890\n\n"), 16);
        assertEquals(List.of(SseLimitExceededException.Part.LINE), over.dispatched());
    }

    @Test
    void anEventWhoseDataGrowsPastTheLimitIsRefused() {
        ParseRun.Result r = allWays(utf8("data: a\n\ndata: 0123456789\ndata: 0123456789\ndata: 0123456789\n\n"), 32);
        assertEquals(List.of(message("a", ""), SseLimitExceededException.Part.EVENT_DATA), r.dispatched());
    }

    @Test
    void aFiveMebibyteLineNeverMakesTheParserHoldMoreThanTheLimit() {
        SseParser parser = new SseParser(event -> { });
        int limit = SseParser.DEFAULT_MAX_BYTES;
        byte[] chunk = new byte[64 * 1024 - 3];
        Arrays.fill(chunk, (byte) 'a');
        byte[] head = utf8("data: ");
        long fed = 0;
        SseLimitExceededException thrown = null;
        try {
            parser.feed(head, 0, head.length);
            fed += head.length;
            while (fed < 5L * 1024 * 1024) {
                parser.feed(chunk, 0, chunk.length);
                fed += chunk.length;
                assertTrue(parser.bufferedBytes() <= limit, "buffered " + parser.bufferedBytes());
                assertTrue(parser.lineCapacity() <= limit, "capacity " + parser.lineCapacity());
            }
        } catch (SseLimitExceededException e) {
            thrown = e;
        }
        assertTrue(thrown != null, "the overlong line was refused");
        assertSame(SseLimitExceededException.Part.LINE, thrown.part());
        assertEquals(limit, thrown.limitBytes());
        assertTrue(fed <= limit + chunk.length, "refused within one chunk of the limit, after " + fed);
        assertTrue(parser.peakBufferedBytes() <= limit);
        assertEquals(0, parser.bufferedBytes(), "the failed stream's buffers are dropped");
    }

    @Test
    void aFailedStreamMustBeResetBeforeItIsFedAgain() throws SseLimitExceededException {
        List<SseEvent> events = new ArrayList<>();
        SseParser parser = new SseParser(events::add, 64, "");
        byte[] big = new byte[100];
        Arrays.fill(big, (byte) 'x');
        assertThrows(SseLimitExceededException.class, () -> parser.feed(big, 0, big.length));
        assertThrows(IllegalStateException.class, () -> parser.feed(big, 0, 1));
        parser.reset();
        byte[] ok = utf8("data: fine\n\n");
        parser.feed(ok, 0, ok.length);
        assertEquals(List.of(message("fine", "")), events);
    }
}
