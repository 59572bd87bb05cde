package stream.core;

/** A stream to add (POST /api/streams), every part already checked at the edge. */
public record NewStream(StreamName name, StreamUrls urls, Encoding encoding, boolean autoRestart) {
}
