// The dashboard's live feed (GET /api/events): status, log and config events. EventSource reconnects by itself
// and sends Last-Event-ID, so the appliance replays the log rows missed meanwhile; when the browser gives up
// (the server refused), a new one is opened after a pause. The page says when the feed is lost.
import { applyConfig, applyStatus, byId, loadStreams, streamIdOf } from './streams.js';

const logListeners = new Set();
let source = null;
let lastLogId = 0;
let retryTimer = null;
let lostSince = null;

export function onLog(fn) { logListeners.add(fn); return () => logListeners.delete(fn); }

/** Whether the page has lost its live feed: what it shows is then only the last known state. */
export function isLost() { return document.body.dataset.live === 'lost'; }

function show(state, text) {
  const was = document.body.dataset.live;
  document.body.dataset.live = state;
  if ((was === 'lost') !== (state === 'lost')) document.dispatchEvent(new CustomEvent('live-state'));
  const el = document.getElementById('live');
  if (el) {
    el.dataset.state = state;
    el.querySelector('.live-text').textContent = text;
  }
  const banner = document.getElementById('banner');
  if (!banner) return;
  if (state === 'lost') {
    if (lostSince === null) lostSince = Date.now();
    banner.textContent = 'The live connection to the appliance was lost. Reconnecting… Figures on this page may be out of date.';
    banner.hidden = false;
  } else if (state === 'connected') {
    lostSince = null;
    banner.hidden = true;
  }
}

export function connect() {
  clearTimeout(retryTimer);
  if (source) source.close();
  show('connecting', 'Connecting…');
  source = new EventSource('/api/events');
  source.onopen = () => show('connected', 'Live');
  source.onerror = () => {
    show('lost', 'Reconnecting…');
    if (source.readyState === EventSource.CLOSED) {
      // refused (signed out, or too many dashboards open): check the session, then try again
      fetch('/api/streams', { credentials: 'same-origin' }).then((r) => {
        if (r.status === 401) location.assign('/login');
      }).catch(() => {});
      retryTimer = setTimeout(connect, 5000);
    }
  };
  source.addEventListener('status', (e) => {
    show('connected', 'Live');
    try { applyStatus(JSON.parse(e.data)); } catch (err) { /* a malformed frame is dropped */ }
  });
  source.addEventListener('config', (e) => {
    let cfg;
    try { cfg = JSON.parse(e.data); } catch (err) { return; }
    // a stream added or removed elsewhere (another browser, a script): the list is read again
    if (cfg.deleted || (typeof cfg.stream_id === 'number' && !byId(cfg.stream_id))) loadStreams().catch(() => {});
    else applyConfig(cfg);
  });
  source.addEventListener('log', (e) => {
    let row;
    try { row = JSON.parse(e.data); } catch (err) { return; }
    if (typeof row.id === 'number') {
      if (row.id <= lastLogId) return; // already shown (replayed after a reconnect)
      lastLogId = row.id;
    }
    for (const fn of logListeners) fn(row);
  });
}
