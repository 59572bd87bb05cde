// The status route as the architecture document's stack (Node + Express 4) would serve it: the same JSON shape,
// behind the same kind of credential check (a header compared with the expected one). bench/api.sh measures the
// appliance against it in the same run. usage: node server.js PORT AUTHORIZATION-HEADER-VALUE...
const express = require('express');
const port = Number(process.argv[2]);
const accepted = new Set(process.argv.slice(3));
const app = express();
app.use((req, res, next) => {
  if (req.path === '/healthz') return next();
  if (!accepted.has(req.get('authorization') || '')) {
    return res.status(401).json({ success: false, message: 'Authentication required', errors: [] });
  }
  next();
});
app.get('/healthz', (req, res) => res.json({ status: 'ok' }));
const startedAt = new Date().toISOString();
app.get('/api/stream/status', (req, res) => {
  res.json({
    state: 'running', stream_id: '1', pid: 12345, started_at: startedAt,
    uptime_s: Math.floor(process.uptime()), rtsp_url: 'rtsp://admin:***@127.0.0.1:8554/cam1',
    rtmp_url: 'rtmp://127.0.0.1:1935/live/****ey42', preset: 'copy',
    metrics: { fps: 25, bitrate_kbps: 2048.5, speed: 1.0, frames: 123456, drop_frames: 0, dup_frames: 0, out_time_s: 4938.2 },
    restarts: 0, last_error: null, warning: null,
    sse: { state: 'disabled', url: null, last_event_id: null, last_event_at: null },
  });
});
app.listen(port, '127.0.0.1', () => console.log(`anchor listening on ${port}`));
