// The appliance's streams (contract §7) and their live status. When the appliance has only the seed's routes
// (GET /api/streams answers 404), the one default stream is shown through /api/stream/* and /api/config.
import { get } from './api.js';

const HISTORY_MS = 10 * 60 * 1000;

export const store = {
  streams: [],          // [{id, name, state, rtsp_url, rtmp_url, preset, auto_restart, legacy}]
  status: new Map(),    // id -> last status object
  samples: new Map(),   // id -> [{t, kbps, fps}] over the last 10 minutes
  sse: null,            // the control server connection, from the newest status
  listeners: new Set(),
  legacy: false,
};

export function onChange(fn) { store.listeners.add(fn); return () => store.listeners.delete(fn); }
function changed(what, id) { for (const fn of store.listeners) fn(what, id); }

/** The API path of one stream's resource, e.g. path(s, '/status'). */
export function path(stream, suffix) {
  if (!stream || stream.legacy) {
    if (/^\/(config|logs|history)/.test(suffix)) return `/api${suffix}`;
    return `/api/stream${suffix}`;
  }
  return `/api/streams/${encodeURIComponent(stream.id)}${suffix}`;
}

export function defaultStream() {
  return store.streams.reduce((a, b) => (a === null || b.id < a.id ? b : a), null);
}

export function byId(id) { return store.streams.find((x) => String(x.id) === String(id)) || null; }

export async function loadStreams() {
  try {
    const data = await get('/api/streams');
    store.legacy = false;
    store.streams = (data.streams || []).map((x) => ({ ...x, legacy: false }));
  } catch (e) {
    if (e.status !== 404) throw e;
    const cfg = await get('/api/config');
    store.legacy = true;
    store.streams = [{ id: cfg.id, name: cfg.name || 'default', rtsp_url: cfg.rtsp_url, rtmp_url: cfg.rtmp_url,
      preset: cfg.preset, auto_restart: cfg.auto_restart, state: null, legacy: true }];
  }
  changed('streams');
  await Promise.all(store.streams.map((x) => get(path(x, '/status')).then((st) => applyStatus(st, x.id)).catch(() => {})));
  return store.streams;
}

/** Which stream an event is about: its config id, or a numeric stream_id, or its name; else the default. */
export function streamIdOf(ev) {
  if (ev && typeof ev.config_id === 'number') return ev.config_id;
  if (ev && typeof ev.stream_id === 'number') return ev.stream_id;
  if (ev && typeof ev.stream_id === 'string' && /^\d+$/.test(ev.stream_id) && byId(ev.stream_id)) return Number(ev.stream_id);
  if (ev && ev.stream && typeof ev.stream === 'object' && ev.stream.id !== undefined) return ev.stream.id;
  if (ev && typeof ev.name === 'string') {
    const s = store.streams.find((x) => x.name === ev.name);
    if (s) return s.id;
  }
  const d = defaultStream();
  return d ? d.id : null;
}

export function applyStatus(st, id = streamIdOf(st)) {
  if (id === null || id === undefined) return;
  store.status.set(id, st);
  const s = byId(id);
  if (s) {
    s.state = st.state;
    // a stopped stream's status may still name the URLs it last ran on; the saved ones (config events) win then
    if (!['stopped', 'failed'].includes(st.state)) {
      if (st.rtsp_url) s.rtsp_url = st.rtsp_url;
      if (st.rtmp_url) s.rtmp_url = st.rtmp_url;
    }
  }
  if (st.sse) store.sse = st.sse;
  const now = Date.now();
  const list = store.samples.get(id) || [];
  const m = st.metrics || {};
  list.push({ t: now, kbps: st.state === 'running' ? m.bitrate_kbps ?? null : null, fps: st.state === 'running' ? m.fps ?? null : null });
  while (list.length && list[0].t < now - HISTORY_MS) list.shift();
  store.samples.set(id, list);
  changed('status', id);
}

export function applyConfig(cfg) {
  const id = streamIdOf(cfg.id !== undefined ? { config_id: cfg.id } : cfg);
  const s = byId(id);
  if (s) {
    Object.assign(s, { rtsp_url: cfg.rtsp_url ?? s.rtsp_url, rtmp_url: cfg.rtmp_url ?? s.rtmp_url,
      preset: cfg.preset ?? s.preset, auto_restart: cfg.auto_restart ?? s.auto_restart, name: cfg.name ?? s.name });
  }
  changed('config', id);
}

/** The state in words, for people. */
export const STATE_WORDS = {
  stopped: 'Stopped', starting: 'Starting', running: 'Live', restarting: 'Restarting', stopping: 'Stopping',
  failed: 'Failed', switching: 'Switching camera',
};
