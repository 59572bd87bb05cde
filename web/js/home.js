// Home: every stream as a card, live; the control server connection; charts over the last 10 minutes.
import { post } from './api.js';
import { chart } from './chart.js';
import { badge, clear, fmtAgo, fmtDuration, fmtNum, fmtTime, h, toast } from './dom.js';
import { isLost } from './live.js';
import { onChange, path, STATE_WORDS, store } from './streams.js';

/** A state's words; while the live feed is lost, said to be only the last one known. */
const lastKnown = (words) => (isLost() ? `${words} (last known)` : words);

const SNAPSHOT_MS = 5000;

function lastErrorSentence(err) {
  if (!err) return null;
  const t = String(err).trim();
  const sentence = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?]$/.test(sentence) ? sentence : `${sentence}.`;
}

function streamCard(stream) {
  const nameId = `stream-${stream.id}-name`;
  const state = h('span');
  const img = h('img', { alt: `Live picture from the camera of ${stream.name}`, width: 640, height: 360, decoding: 'async' });
  const thumbEmpty = h('div', { class: 'thumb-empty' }, 'No picture while the stream is stopped');
  img.hidden = true;
  img.addEventListener('load', () => { img.hidden = false; thumbEmpty.hidden = true; });
  img.addEventListener('error', () => { img.hidden = true; thumbEmpty.hidden = false; });
  const stat = (label, key) => {
    const dd = h('dd', { 'data-stat': key }, '—');
    return [h('div', {}, h('dt', {}, label), dd), dd];
  };
  const [uptimeBox, uptime] = stat('Uptime', 'uptime');
  const [fpsBox, fps] = stat('FPS', 'fps');
  const [rateBox, rate] = stat('Bitrate', 'bitrate');
  const [speedBox, speed] = stat('Speed', 'speed');
  const [restartsBox, restarts] = stat('Restarts', 'restarts');
  const camera = h('dd', { 'data-field': 'camera' });
  const dest = h('dd', { 'data-field': 'destination' });
  const preset = h('dd', { 'data-field': 'preset' });
  const sessionTerm = h('dt', {}, 'Session');
  const session = h('dd', { 'data-field': 'session' });
  const lastError = h('p', { class: 'last-error', role: 'note' });
  lastError.hidden = true;
  const feedback = h('p', { class: 'feedback', role: 'status', 'aria-live': 'polite' });
  const charts = h('div', { class: 'charts' });

  const act = async (action, button) => {
    const buttons = card.querySelectorAll('.actions button');
    const hadFocus = document.activeElement === button;
    buttons.forEach((b) => { b.disabled = true; });
    button.setAttribute('aria-busy', 'true');
    const verb = { start: 'Starting', stop: 'Stopping', restart: 'Restarting' }[action];
    feedback.textContent = `${verb} ${stream.name}…`;
    try {
      const res = await post(path(stream, `/${action}`), {});
      feedback.textContent = res.message || `${verb} requested`;
    } catch (e) {
      feedback.textContent = `Could not ${action}: ${e.message}`;
      toast(`${stream.name}: could not ${action}: ${e.message}`, 'error');
    } finally {
      button.removeAttribute('aria-busy');
      buttons.forEach((b) => { b.disabled = false; });
      update();
      // disabling the pressed button dropped the keyboard's focus onto the page: it comes back to the card
      if (hadFocus) (button.disabled ? firstUsable() : button).focus();
    }
  };
  const firstUsable = () => [startBtn, stopBtn, restartBtn].find((b) => !b.disabled) || configure;
  const startBtn = h('button', { type: 'button', class: 'btn btn-primary', 'data-action': 'start', 'aria-describedby': nameId });
  startBtn.textContent = 'Start';
  const stopBtn = h('button', { type: 'button', class: 'btn', 'data-action': 'stop', 'aria-describedby': nameId }, 'Stop');
  const restartBtn = h('button', { type: 'button', class: 'btn', 'data-action': 'restart', 'aria-describedby': nameId }, 'Restart');
  const configure = h('a', { href: `/configuration?stream=${encodeURIComponent(stream.name)}`, 'data-route': '/configuration', class: 'btn btn-quiet' }, 'Configure');
  startBtn.addEventListener('click', () => act('start', startBtn));
  stopBtn.addEventListener('click', () => act('stop', stopBtn));
  restartBtn.addEventListener('click', () => act('restart', restartBtn));

  const card = h('article', { class: 'card stream-card', 'aria-labelledby': nameId, 'data-stream': stream.name, 'data-stream-id': stream.id },
    h('div', { class: 'card-head' }, h('h2', { id: nameId }, stream.name), state),
    h('div', { class: 'card-body' },
      h('div', { class: 'thumb' }, img, thumbEmpty),
      charts,
      h('div', { class: 'card-info' },
        h('dl', { class: 'stats' }, uptimeBox, fpsBox, rateBox, speedBox, restartsBox),
        h('dl', { class: 'kv' }, h('dt', {}, 'Camera'), camera, h('dt', {}, 'Destination'), dest, h('dt', {}, 'Preset'), preset, sessionTerm, session),
        lastError,
        h('div', { class: 'actions' }, startBtn, stopBtn, restartBtn, configure),
        feedback)));

  let lastSnapshot = 0;
  let shownState = null;
  function update() {
    const st = store.status.get(stream.id) || {};
    const m = st.metrics || {};
    const s = st.state || stream.state || 'stopped';
    const source = st.source === 'slate' ? ' · camera offline, slate on air' : st.source === 'switching' ? ' · switching camera' : '';
    clear(state).append(badge('state', s, lastKnown((STATE_WORDS[s] || s) + source)));
    state.setAttribute('data-state', s);
    if (shownState !== null && shownState !== s && !card.querySelector('[aria-busy="true"]')) {
      feedback.textContent = `Now ${(STATE_WORDS[s] || s).toLowerCase()}.`; // the action's outcome, once it shows
    }
    shownState = s;
    uptime.textContent = s === 'running' || s === 'restarting' ? fmtDuration(st.uptime_s) : '—';
    fps.textContent = fmtNum(s === 'running' ? m.fps : null, 1);
    rate.textContent = s === 'running' && m.bitrate_kbps != null ? `${Math.round(m.bitrate_kbps)} kb/s` : '—';
    speed.textContent = s === 'running' && m.speed != null ? `${m.speed.toFixed(2)}×` : '—';
    restarts.textContent = st.restarts ?? 0;
    camera.textContent = stream.rtsp_url || st.rtsp_url || '—';
    dest.textContent = stream.rtmp_url || st.rtmp_url || '—';
    preset.textContent = st.preset || stream.preset || 'custom parameters';
    // the kept destination session (contract §8): how long one connection has lasted across switches and outages
    const ses = st.session;
    sessionTerm.hidden = session.hidden = !ses;
    if (ses) {
      const switches = `${ses.switches} camera switch${ses.switches === 1 ? '' : 'es'}`;
      session.textContent = `one connection since ${fmtTime(ses.started_at)} · ${switches} · ${fmtDuration(ses.slate_s)} on the slate`;
    }
    const err = lastErrorSentence(st.last_error || st.warning);
    lastError.hidden = !err;
    lastError.textContent = err ? `Last error: ${err}` : '';
    const busy = card.querySelector('[aria-busy="true"]');
    if (!busy) {
      const focused = [startBtn, stopBtn, restartBtn].find((b) => b === document.activeElement);
      startBtn.disabled = s === 'running' || s === 'starting';
      stopBtn.disabled = s === 'stopped';
      restartBtn.disabled = s === 'stopped' || s === 'failed';
      // Start greys out once running (Stop once stopped): the keyboard's focus moves on to what can be pressed now
      if (focused && focused.disabled) firstUsable().focus();
    }
    const live = s === 'running' || s === 'restarting';
    if (live && Date.now() - lastSnapshot > SNAPSHOT_MS) {
      lastSnapshot = Date.now();
      img.src = `${path(stream, '/snapshot.jpg')}?t=${lastSnapshot}`;
    } else if (!live) {
      img.hidden = true;
      thumbEmpty.hidden = false;
      thumbEmpty.textContent = s === 'failed' ? 'No picture: the stream has failed' : 'No picture while the stream is stopped';
    }
    const samples = store.samples.get(stream.id) || [];
    clear(charts).append(
      chart({ title: 'Bitrate', unit: 'kb/s', samples: samples.map((p) => ({ t: p.t, value: p.kbps })), lineClass: 'line-1' }),
      chart({ title: 'Frame rate', unit: 'fps', samples: samples.map((p) => ({ t: p.t, value: p.fps })), lineClass: 'line-2', digits: 1 }));
  }
  update();
  return { el: card, update };
}

function ssePanel() {
  const el = h('section', { class: 'panel sse-panel', 'aria-labelledby': 'sse-title' });
  function update() {
    const sse = store.sse || { state: 'disabled' };
    const words = { connected: 'Connected', connecting: 'Connecting', disconnected: 'Disconnected', disabled: 'Off' };
    clear(el).append(
      h('h2', { id: 'sse-title' }, 'Control server'),
      badge('state', sse.state, lastKnown(words[sse.state] || sse.state)),
      h('dl', { class: 'kv' },
        // a control server turned off has no URL in the status: off is not the same as never set
        h('dt', {}, 'Server'), h('dd', { 'data-field': 'sse-server' }, sse.url
          || h('span', {}, sse.state === 'disabled' ? 'turned off in ' : 'not set yet, in ', h('a', { href: '/settings', 'data-route': '/settings' }, 'Settings'))),
        h('dt', {}, 'Last event'), h('dd', { 'data-field': 'last-event' },
          sse.last_event_id ? `${sse.last_event_id}, ${fmtAgo(sse.last_event_at)}` : 'none yet')));
  }
  update();
  return { el, update };
}

export function renderHome(main) {
  const grid = h('div', { class: 'grid', id: 'stream-cards' });
  const sse = ssePanel();
  const cards = new Map();
  const build = () => {
    clear(grid);
    cards.clear();
    if (store.streams.length === 0) {
      grid.append(h('p', { class: 'empty' }, 'No streams yet. ', h('a', { href: '/configuration', 'data-route': '/configuration' }, 'Add one'), '.'));
    }
    for (const s of store.streams) {
      const c = streamCard(s);
      cards.set(String(s.id), c);
      grid.append(c.el);
    }
  };
  build();
  main.append(
    h('div', { class: 'page-head' }, h('h1', {}, 'Streams'),
      h('a', { class: 'btn', href: '/configuration?add=1', 'data-route': '/configuration' }, 'Add stream')),
    sse.el, grid);
  const off = onChange((what, id) => {
    if (what === 'streams') build();
    else {
      const c = cards.get(String(id));
      if (c) c.update();
      sse.update();
    }
  });
  // the uptime and "seconds ago" move on between events
  const timer = setInterval(() => { sse.update(); }, 5000);
  const restate = () => { cards.forEach((c) => c.update()); sse.update(); };
  document.addEventListener('live-state', restate);
  return () => { off(); clearInterval(timer); document.removeEventListener('live-state', restate); };
}
