-- Create stream_config table
CREATE TABLE stream_config (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    rtsp_url TEXT NOT NULL,
    rtmp_url TEXT NOT NULL,
    ffmpeg_params TEXT DEFAULT '-c:v libx264 -preset veryfast -b:v 4500k -maxrate 5000k -bufsize 10000k -vf "scale=1920:1080" -c:a aac -b:a 128k -ar 44100 -f flv',
    auto_restart BOOLEAN DEFAULT 1,
    created_at DATETIME DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME DEFAULT CURRENT_TIMESTAMP
);

-- Create stream_logs table
CREATE TABLE stream_logs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    config_id INTEGER,
    event_type TEXT NOT NULL,
    message TEXT,
    status TEXT CHECK (status IN ('success', 'error', 'warning', 'info')),
    timestamp DATETIME DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (config_id) REFERENCES stream_config(id)
);

-- Create url_history table
CREATE TABLE url_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    config_id INTEGER,
    old_rtsp_url TEXT,
    new_rtsp_url TEXT,
    old_rtmp_url TEXT,
    new_rtmp_url TEXT,
    change_source TEXT CHECK (change_source IN ('sse', 'api', 'manual')),
    changed_at DATETIME DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (config_id) REFERENCES stream_config(id)
);

-- Create sse_events table
CREATE TABLE sse_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_type TEXT NOT NULL,
    event_data TEXT,
    processed BOOLEAN DEFAULT 0,
    received_at DATETIME DEFAULT CURRENT_TIMESTAMP
);

-- Create indexes
CREATE INDEX idx_stream_logs_timestamp ON stream_logs(timestamp DESC);
CREATE INDEX idx_url_history_changed_at ON url_history(changed_at DESC);
CREATE INDEX idx_sse_events_processed ON sse_events(processed, received_at);

