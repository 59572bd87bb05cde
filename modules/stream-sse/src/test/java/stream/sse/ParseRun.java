package stream.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Runs one byte stream through a fresh {@link SseParser} cut into chunks in many ways (whole, byte by byte, seeded
 * random cuts, heap and direct buffers) and checks that every way gives the same result.
 */
final class ParseRun {
    static final long[] SEEDS = {1, 7, 42, 1234, 987654321L, -5, 31337, 2024};

    /** What a stream produced: events and retry values in order, the last event ID, and whether EOF dropped data. */
    record Result(List<Object> dispatched, String lastEventId, boolean discardedAtEnd) {
        List<SseEvent> events() {
            return dispatched.stream().filter(SseEvent.class::isInstance).map(SseEvent.class::cast).toList();
        }

        List<Long> retries() {
            return dispatched.stream().filter(Long.class::isInstance).map(Long.class::cast).toList();
        }
    }

    private ParseRun() {
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    /** Parses the stream every way and returns the (identical) result. */
    static Result allWays(byte[] stream) {
        return allWays(stream, SseParser.DEFAULT_MAX_BYTES);
    }

    static Result allWays(byte[] stream, int maxBytes) {
        Result whole = chunked(stream, List.of(stream.length), maxBytes, false);
        List<Integer> ones = new ArrayList<>();
        for (int i = 0; i < stream.length; i++) {
            ones.add(1);
        }
        assertEquals(whole, chunked(stream, ones, maxBytes, false), "byte by byte");
        assertEquals(whole, chunked(stream, ones, maxBytes, true), "byte by byte, direct buffers");
        for (long seed : SEEDS) {
            List<Integer> cuts = randomCuts(stream.length, seed);
            assertEquals(whole, chunked(stream, cuts, maxBytes, false), "random chunks, seed " + seed);
            assertEquals(whole, chunked(stream, cuts, maxBytes, true), "random chunks, direct buffers, seed " + seed);
        }
        return whole;
    }

    /** Parses the stream cut into chunks of these sizes (a chunk may be empty). */
    static Result chunked(byte[] stream, List<Integer> sizes, int maxBytes, boolean direct) {
        List<Object> dispatched = new ArrayList<>();
        SseParser parser = new SseParser(new SseListener() {
            @Override
            public void onEvent(SseEvent event) {
                dispatched.add(event);
            }

            @Override
            public void onRetry(long ms) {
                dispatched.add(ms);
            }
        }, maxBytes, "");
        int at = 0;
        try {
            for (int size : sizes) {
                if (direct) {
                    ByteBuffer b = ByteBuffer.allocateDirect(size);
                    b.put(stream, at, size).flip();
                    parser.feed(b);
                    assertEquals(0, b.remaining(), "feed(ByteBuffer) consumes everything");
                } else {
                    // Feed from the middle of a bigger array, to catch offset mistakes.
                    byte[] padded = new byte[size + 6];
                    System.arraycopy(stream, at, padded, 3, size);
                    parser.feed(padded, 3, size);
                }
                at += size;
            }
        } catch (SseLimitExceededException e) {
            dispatched.add(e.part());
            return new Result(dispatched, parser.lastEventId(), false);
        }
        assertEquals(stream.length, at, "chunk sizes cover the stream");
        boolean discarded = parser.endOfStream();
        return new Result(dispatched, parser.lastEventId(), discarded);
    }

    static List<Integer> randomCuts(int length, long seed) {
        Random random = new Random(seed);
        List<Integer> sizes = new ArrayList<>();
        int left = length;
        while (left > 0) {
            int size = random.nextInt(10) == 0 ? 0 : 1 + random.nextInt(Math.min(left, random.nextBoolean() ? 4 : 40));
            size = Math.min(size, left);
            sizes.add(size);
            left -= size;
        }
        return sizes;
    }
}
