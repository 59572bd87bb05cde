package stream.it.harness;

/** One Server-Sent Event as dispatched: {@code event} is "message" when the server sent none; {@code id} may be null. */
public record SseEvent(String id, String event, String data) {}
