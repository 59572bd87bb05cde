package stream.http;

import stream.store.SettingsRepository;
import stream.store.SseEventRepository;
import stream.store.StreamConfigRepository;
import stream.store.StreamLogRepository;
import stream.store.UrlHistoryRepository;

/** The repositories the API reads and writes. */
public record Stores(StreamConfigRepository configs, StreamLogRepository logs, UrlHistoryRepository history,
                     SseEventRepository events, SettingsRepository settings) {
}
