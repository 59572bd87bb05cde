package stream.sse;

import java.io.IOException;

/**
 * Thrown when an event stream exceeds the parser's size limit, so that a server that never ends a line (or an event)
 * cannot make the appliance buffer without bound; the connection carrying it should be dropped.
 */
public final class SseLimitExceededException extends IOException {

    /** What grew past the limit. */
    public enum Part {
        /** One line, counted in bytes without its line end. */
        LINE("a line"),
        /** The data buffer of one event, counted in bytes of {@code data} values plus one per LF joining them. */
        EVENT_DATA("the data of one event");

        private final String words;

        Part(String words) {
            this.words = words;
        }
    }

    private final Part part;
    private final int limitBytes;

    SseLimitExceededException(Part part, int limitBytes) {
        super(part.words + " of the event stream is longer than " + limitBytes + " bytes");
        this.part = part;
        this.limitBytes = limitBytes;
    }

    /** What grew past the limit. */
    public Part part() {
        return part;
    }

    /** The limit that was exceeded, in bytes. */
    public int limitBytes() {
        return limitBytes;
    }
}
