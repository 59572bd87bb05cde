// Logs: newest first, filtered by stream, type and status, paged, with a live tail; and the control server's
// events with what became of each and why.
import { get } from './api.js';
import { badge, clear, dataTable, fmtTime, h, td } from './dom.js';
import { onLog } from './live.js';
import { byId, path, store } from './streams.js';

const PAGE = 50;
const OUTCOME_WORDS = { applied: 'Applied', rejected: 'Rejected', skipped: 'Skipped', ignored: 'Ignored' };

function logRow(r, fresh) {
  const s = byId(r.config_id);
  return h('tr', { class: fresh ? 'fresh' : null, 'data-log-id': r.id },
    td('Time', { class: 'when' }, fmtTime(r.timestamp)),
    td('Stream', {}, s ? s.name : (r.config_id == null ? 'appliance' : `removed stream #${r.config_id}`)),
    td('Event', { class: 'mono' }, r.event_type),
    td('Status', {}, r.status ? badge('status', r.status) : '—'),
    td('Message', { class: 'msg' }, r.message || ''));
}

export function renderLogs(main) {
  const form = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter the log' });
  const streamSel = h('select', { id: 'f-stream', name: 'stream' }, h('option', { value: '' }, 'All streams'),
    ...store.streams.map((s) => h('option', { value: s.id }, s.name)));
  const typeIn = h('input', { id: 'f-type', name: 'event_type', list: 'f-types', autocomplete: 'off', spellcheck: 'false', placeholder: 'any' });
  const types = h('datalist', { id: 'f-types' }, ['state_running', 'state_stopped', 'state_failed', 'state_restarting', 'ffmpeg_exit', 'url_change', 'config_change', 'sse_url_update', 'sse_rejected', 'sse_skipped', 'sse', 'appliance_start']
    .map((t) => h('option', { value: t })));
  const statusSel = h('select', { id: 'f-status', name: 'status' }, h('option', { value: '' }, 'Any status'),
    ...['success', 'info', 'warning', 'error'].map((x) => h('option', { value: x }, x)));
  const tail = h('input', { type: 'checkbox', id: 'f-tail', checked: true });
  form.append(
    h('div', { class: 'field' }, h('label', { for: 'f-stream' }, 'Stream'), streamSel),
    h('div', { class: 'field' }, h('label', { for: 'f-type' }, 'Event type'), typeIn, types),
    h('div', { class: 'field' }, h('label', { for: 'f-status' }, 'Status'), statusSel),
    h('div', { class: 'field' }, h('label', { class: 'check', for: 'f-tail' }, tail, 'Live tail')));
  const tbody = h('tbody', { id: 'log-rows' });
  const table = dataTable('Log rows', 'Log, newest first', ['Time', 'Stream', 'Event', 'Status', 'Message'], tbody);
  const state = h('p', { class: 'feedback', role: 'status', 'aria-live': 'polite' });
  const newer = h('button', { type: 'button', class: 'btn' }, 'Newest');
  const older = h('button', { type: 'button', class: 'btn' }, 'Older');
  const pageLabel = h('span', { class: 'muted small' });
  let cursor = null;   // before_id of this page (null: the newest)
  const stack = [];    // cursors of the pages before
  let next = null;

  function query(before) {
    const q = new URLSearchParams({ limit: PAGE });
    if (before) q.set('before_id', before);
    if (typeIn.value.trim()) q.set('event_type', typeIn.value.trim());
    if (statusSel.value) q.set('status', statusSel.value);
    const s = byId(streamSel.value);
    if (!s && !store.legacy) q.set('all', 'true'); // every stream's rows; the seed's /api/logs is the default stream's
    return `${s ? path(s, '/logs') : '/api/logs'}?${q}`;
  }
  async function load(before) {
    state.textContent = 'Loading…';
    try {
      const data = await get(query(before));
      cursor = before;
      next = data.next_before_id;
      clear(tbody).append(...data.logs.map((r) => logRow(r, false)));
      if (!data.logs.length) tbody.append(h('tr', {}, h('td', { colspan: 5, class: 'empty' }, 'No log rows match these filters.')));
      older.disabled = next === null || next === undefined;
      newer.disabled = !cursor;
      pageLabel.textContent = cursor ? `Page ${stack.length + 1}` : 'Newest rows';
      state.textContent = '';
    } catch (e) {
      clear(tbody).append(h('tr', {}, h('td', { colspan: 5, class: 'error-state' }, `The log could not be loaded: ${e.message}`)));
      state.textContent = '';
    }
  }
  older.addEventListener('click', () => { stack.push(cursor); load(next); });
  newer.addEventListener('click', () => { stack.length = 0; load(null); });
  [streamSel, statusSel].forEach((el) => el.addEventListener('change', () => { stack.length = 0; load(null); }));
  typeIn.addEventListener('change', () => { stack.length = 0; load(null); });
  form.addEventListener('submit', (ev) => { ev.preventDefault(); load(null); });

  const matches = (r) => (!streamSel.value || String(r.config_id) === streamSel.value)
    && (!typeIn.value.trim() || r.event_type === typeIn.value.trim()) && (!statusSel.value || r.status === statusSel.value);
  const off = onLog((r) => {
    if (!tail.checked || cursor || !matches(r)) return;
    if (tbody.querySelector(`[data-log-id="${r.id}"]`)) return;
    tbody.querySelector('td.empty')?.closest('tr')?.remove();
    tbody.prepend(logRow(r, true));
    while (tbody.children.length > PAGE) tbody.lastElementChild.remove();
  });

  const events = h('tbody', { id: 'sse-rows' });
  async function loadEvents() {
    try {
      const data = await get('/api/sse/events?limit=50');
      clear(events).append(...data.events.map((e) => h('tr', {},
        td('Received', { class: 'when' }, fmtTime(e.received_at)),
        td('Type', { class: 'mono' }, e.event_type),
        td('Event ID', { class: 'mono' }, e.last_event_id || '—'),
        td('Outcome', {}, e.outcome ? badge('outcome', e.outcome, OUTCOME_WORDS[e.outcome] || e.outcome) : (e.processed ? 'done' : 'waiting')),
        td('Reason', { class: 'msg' }, e.outcome_reason || ''),
        td('Data', { class: 'msg mono small' }, e.event_data || ''))));
      if (!data.events.length) events.append(h('tr', {}, h('td', { colspan: 6, class: 'empty' }, 'No events received from the control server yet.')));
    } catch (e) {
      clear(events).append(h('tr', {}, h('td', { colspan: 6, class: 'error-state' }, `The events could not be loaded: ${e.message}`)));
    }
  }
  // a new sse_event row has a log row of its own: refresh the events table when one arrives
  const offEvents = onLog((r) => { if (/^sse/.test(r.event_type)) loadEvents(); });

  main.append(h('div', { class: 'page-head' }, h('h1', {}, 'Logs')), form, state, table,
    h('div', { class: 'pager' }, pageLabel, newer, older),
    h('section', { class: 'panel', 'aria-labelledby': 'sse-events-title' },
      h('h2', { id: 'sse-events-title' }, 'Control server events'),
      h('p', { class: 'muted' }, 'Every event received from the control server, and what became of it.'),
      dataTable('Control server events', 'Control server events, newest first',
        ['Received', 'Type', 'Event ID', 'Outcome', 'Reason', 'Data'], events)));
  load(null);
  loadEvents();
  return () => { off(); offEvents(); };
}
