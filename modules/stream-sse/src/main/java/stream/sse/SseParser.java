package stream.sse;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Turns the bytes of a {@code text/event-stream} body, fed in chunks of any size, into events exactly as the WHATWG HTML
 * standard's "server-sent events" section (§9.2.5 parsing, §9.2.6 interpreting an event stream) says.
 *
 * <p>Buffers per stream (one HTTP response): the current line, the data buffer, the event type buffer and the last
 * event ID buffer. Per event source (they survive {@link #reset()}): the last event ID string, which the client sends as
 * {@code Last-Event-ID}. The parser never holds more than its limit of bytes in the line or the data buffer: it throws
 * {@link SseLimitExceededException} first. Not thread-safe: one thread feeds it.
 */
public final class SseParser {

    /** The default limit on one line and on one event's data, in bytes. */
    public static final int DEFAULT_MAX_BYTES = 1 << 20;

    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final byte COLON = ':';
    private static final byte SPACE = ' ';
    private static final byte[] DATA = {'d', 'a', 't', 'a'};
    private static final byte[] EVENT = {'e', 'v', 'e', 'n', 't'};
    private static final byte[] ID = {'i', 'd'};
    private static final byte[] RETRY = {'r', 'e', 't', 'r', 'y'};
    private static final int INITIAL_LINE_CAPACITY = 256;
    private static final int DIRECT_COPY_CHUNK = 8192;

    private final SseListener listener;
    private final int maxBytes;

    private byte[] line;
    private int lineLength;
    /** The previous byte was a CR: an LF right after it belongs to the same line end (CRLF), even across chunks. */
    private boolean afterCr;
    /** No line has ended yet, so the first line may still start with the BOM the UTF-8 decode step strips. */
    private boolean atStreamStart = true;
    private final StringBuilder data = new StringBuilder();
    private int dataBytes;
    private String eventType = "";
    private String lastEventIdBuffer;
    private String lastEventId;
    private boolean failed;
    private long peakBufferedBytes;

    /** A parser with the default limit and no last event ID. */
    public SseParser(SseListener listener) {
        this(listener, DEFAULT_MAX_BYTES, "");
    }

    /**
     * A parser.
     *
     * @param listener receives the events and retry values
     * @param maxBytes the most bytes one line, and one event's data, may hold
     * @param lastEventId the event source's last event ID to start from ({@code ""} for none), e.g. one stored before a
     *     restart
     */
    public SseParser(SseListener listener, int maxBytes, String lastEventId) {
        this.listener = Objects.requireNonNull(listener, "listener");
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be at least 1");
        }
        this.maxBytes = maxBytes;
        this.lastEventId = Objects.requireNonNull(lastEventId, "lastEventId");
        this.lastEventIdBuffer = lastEventId;
        this.line = new byte[Math.min(INITIAL_LINE_CAPACITY, maxBytes)];
    }

    /**
     * Feeds the next bytes of the stream and dispatches every event they complete, in order.
     *
     * @throws SseLimitExceededException when a line or an event's data grows past the limit; the stream is then failed
     *     and its buffers dropped, and {@link #reset()} must be called before the parser is used again
     * @throws RuntimeException whatever the listener throws; the rest of the chunk is not parsed and {@link #reset()}
     *     must be called before the parser is used again
     */
    public void feed(byte[] buf, int off, int len) throws SseLimitExceededException {
        Objects.checkFromIndexSize(off, len, buf.length);
        if (failed) {
            throw new IllegalStateException("the stream failed; reset() the parser before feeding it again");
        }
        int end = off + len;
        int i = off;
        try {
            while (i < end) {
                if (afterCr) {
                    afterCr = false;
                    if (buf[i] == LF) {
                        i++;
                        continue;
                    }
                }
                int lineEnd = i;
                while (lineEnd < end && buf[lineEnd] != CR && buf[lineEnd] != LF) {
                    lineEnd++;
                }
                if (lineEnd == end) {
                    append(buf, i, end - i);
                    return;
                }
                afterCr = buf[lineEnd] == CR;
                if (lineLength == 0) {
                    // The whole line is in this chunk: parse it in place, no copy.
                    checkLineLength(lineEnd - i);
                    processLine(buf, i, lineEnd - i);
                } else {
                    append(buf, i, lineEnd - i);
                    int length = lineLength;
                    lineLength = 0;
                    processLine(line, 0, length);
                }
                i = lineEnd + 1;
            }
        } catch (SseLimitExceededException | RuntimeException e) {
            fail();
            throw e;
        }
    }

    /** Feeds all remaining bytes of {@code buf} (its position ends at its limit); see {@link #feed(byte[], int, int)}. */
    public void feed(ByteBuffer buf) throws SseLimitExceededException {
        if (buf.hasArray()) {
            int n = buf.remaining();
            feed(buf.array(), buf.arrayOffset() + buf.position(), n);
            buf.position(buf.position() + n);
            return;
        }
        byte[] copy = new byte[Math.min(buf.remaining(), DIRECT_COPY_CHUNK)];
        while (buf.hasRemaining()) {
            int n = Math.min(copy.length, buf.remaining());
            buf.get(copy, 0, n);
            feed(copy, 0, n);
        }
    }

    /**
     * The stream ended: "any pending data must be discarded" (§9.2.6), so an event without its closing blank line is
     * never dispatched. Call {@link #reset()} before feeding the next stream.
     *
     * @return whether something was discarded (an unfinished line or event), worth a log line
     */
    public boolean endOfStream() {
        boolean pending = lineLength > 0 || data.length() > 0 || !eventType.isEmpty()
                || !lastEventIdBuffer.equals(lastEventId);
        discardStreamBuffers();
        return pending;
    }

    /**
     * Prepares for a new stream (a new connection): the line, data and event type buffers are emptied and a BOM may
     * open the stream again. The last event ID string persists: it belongs to the event source, not the stream, and is
     * resent as {@code Last-Event-ID} (§9.2.3). The new stream's last event ID buffer starts from it, not from the
     * empty string §9.2.6 initialises stream buffers to: taken literally, the new stream's first blank line would
     * erase the ID the client has just resent. Browsers (Chromium, for one) do the same.
     */
    public void reset() {
        discardStreamBuffers();
        failed = false;
    }

    /**
     * The event source's last event ID string: the last event ID buffer as of the latest dispatch (§9.2.6 dispatch step
     * 1), also when that dispatch had no data. An {@code id} field not yet followed by a blank line does not count.
     */
    public String lastEventId() {
        return lastEventId;
    }

    /** The limit on one line and on one event's data, in bytes. */
    public int maxBytes() {
        return maxBytes;
    }

    /** The bytes held now: the unfinished line plus the event's data so far. */
    public long bufferedBytes() {
        return (long) lineLength + dataBytes;
    }

    /** The most {@link #bufferedBytes()} ever held, to show the limit is kept. */
    public long peakBufferedBytes() {
        return peakBufferedBytes;
    }

    /** The capacity of the line buffer; never above the limit. */
    int lineCapacity() {
        return line.length;
    }

    private void discardStreamBuffers() {
        lineLength = 0;
        afterCr = false;
        atStreamStart = true;
        data.setLength(0);
        dataBytes = 0;
        eventType = "";
        lastEventIdBuffer = lastEventId;
        if (line.length > INITIAL_LINE_CAPACITY) {
            line = new byte[Math.min(INITIAL_LINE_CAPACITY, maxBytes)];
        }
    }

    private void fail() {
        discardStreamBuffers();
        failed = true;
    }

    private void checkLineLength(int length) throws SseLimitExceededException {
        if (length > maxBytes) {
            throw new SseLimitExceededException(SseLimitExceededException.Part.LINE, maxBytes);
        }
    }

    private void append(byte[] buf, int off, int len) throws SseLimitExceededException {
        if (len == 0) {
            return;
        }
        int needed = lineLength + len;
        // The check comes before any copy, so the buffer never grows past the limit.
        if (needed < 0 || needed > maxBytes) {
            throw new SseLimitExceededException(SseLimitExceededException.Part.LINE, maxBytes);
        }
        if (needed > line.length) {
            int capacity = (int) Math.min(maxBytes, Math.max(needed, 2L * line.length));
            byte[] bigger = new byte[capacity];
            System.arraycopy(line, 0, bigger, 0, lineLength);
            line = bigger;
        }
        System.arraycopy(buf, off, line, lineLength, len);
        lineLength = needed;
        notePeak();
    }

    private void notePeak() {
        long buffered = bufferedBytes();
        if (buffered > peakBufferedBytes) {
            peakBufferedBytes = buffered;
        }
    }

    private void processLine(byte[] buf, int off, int len) throws SseLimitExceededException {
        if (atStreamStart) {
            atStreamStart = false;
            // The UTF-8 decode step strips one leading BOM of the stream (§9.2.5); it can only be in the first line.
            if (len >= 3 && buf[off] == (byte) 0xEF && buf[off + 1] == (byte) 0xBB && buf[off + 2] == (byte) 0xBF) {
                off += 3;
                len -= 3;
            }
        }
        if (len == 0) {
            dispatch();
            return;
        }
        if (buf[off] == COLON) {
            return; // a comment
        }
        int end = off + len;
        int colon = off;
        while (colon < end && buf[colon] != COLON) {
            colon++;
        }
        int valueOff;
        if (colon == end) {
            valueOff = end; // no colon: the whole line is the field name, the value is empty
        } else {
            valueOff = colon + 1;
            if (valueOff < end && buf[valueOff] == SPACE) {
                valueOff++;
            }
        }
        // Field names compare literally (§9.2.6); comparing bytes equals comparing the decoded text, as any byte
        // outside ASCII decodes to something that is not in these names.
        processField(buf, off, colon - off, valueOff, end - valueOff);
    }

    private void processField(byte[] buf, int nameOff, int nameLen, int valueOff, int valueLen)
            throws SseLimitExceededException {
        if (is(DATA, buf, nameOff, nameLen)) {
            long newSize = (long) dataBytes + valueLen + 1;
            if (newSize > maxBytes) {
                throw new SseLimitExceededException(SseLimitExceededException.Part.EVENT_DATA, maxBytes);
            }
            data.append(Utf8Decoder.decode(buf, valueOff, valueLen)).append('\n');
            dataBytes = (int) newSize;
            notePeak();
        } else if (is(EVENT, buf, nameOff, nameLen)) {
            eventType = Utf8Decoder.decode(buf, valueOff, valueLen);
        } else if (is(ID, buf, nameOff, nameLen)) {
            // An id with U+0000 is ignored (§9.2.6); only the byte 0x00 decodes to U+0000.
            if (indexOf((byte) 0, buf, valueOff, valueLen) < 0) {
                lastEventIdBuffer = Utf8Decoder.decode(buf, valueOff, valueLen);
            }
        } else if (is(RETRY, buf, nameOff, nameLen)) {
            if (valueLen > 0 && allAsciiDigits(buf, valueOff, valueLen)) {
                listener.onRetry(parseSaturated(buf, valueOff, valueLen));
            }
        }
        // Any other field is ignored (§9.2.6).
    }

    private void dispatch() {
        // Step 1: the last event ID string follows the buffer at every dispatch, also one with no data.
        String id = lastEventIdBuffer;
        if (data.length() == 0) {
            // Step 2: nothing to dispatch, but the event type buffer is emptied.
            eventType = "";
            lastEventId = id;
            return;
        }
        // Step 3: every data line appended an LF; the last one goes.
        String eventData = data.substring(0, data.length() - 1);
        String type = eventType.isEmpty() ? SseEvent.DEFAULT_TYPE : eventType;
        data.setLength(0);
        dataBytes = 0;
        eventType = "";
        listener.onEvent(new SseEvent(type, eventData, id));
        // Committed after the listener returns, so a listener that failed on this event gets it again after a
        // reconnect (the previous id is resent). The value is the same the spec sets before dispatching.
        lastEventId = id;
    }

    private static boolean is(byte[] name, byte[] buf, int off, int len) {
        if (len != name.length) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if (buf[off + i] != name[i]) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte b, byte[] buf, int off, int len) {
        for (int i = off; i < off + len; i++) {
            if (buf[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static boolean allAsciiDigits(byte[] buf, int off, int len) {
        for (int i = off; i < off + len; i++) {
            if (buf[i] < '0' || buf[i] > '9') {
                return false;
            }
        }
        return true;
    }

    /** Base ten; a value too large for a long (a hostile server) counts as {@link Long#MAX_VALUE}. */
    private static long parseSaturated(byte[] buf, int off, int len) {
        long value = 0;
        for (int i = off; i < off + len; i++) {
            int digit = buf[i] - '0';
            if (value > (Long.MAX_VALUE - digit) / 10) {
                return Long.MAX_VALUE;
            }
            value = value * 10 + digit;
        }
        return value;
    }
}
