// Configuration, per stream: URLs (masked, with reveal), Check camera, encoding (preset or parameters), auto restart,
// apply and restart, add and remove a stream, the URL history with where each change came from.
import { del, get, post, put } from './api.js';
import { badge, clear, clearFieldErrors, dataTable, field, fmtTime, h, showErrors, td, toast } from './dom.js';
import { byId, defaultStream, loadStreams, onChange, path, store } from './streams.js';

const SOURCE_WORDS = { manual: 'Dashboard', api: 'API', sse: 'Control server' };

function urlsForm(stream, cfg) {
  const form = h('form', { class: 'form', novalidate: true, 'aria-labelledby': 'urls-title' });
  let revealed = null;
  const rtsp = field({ label: 'Camera URL (RTSP)', name: 'rtsp_url', value: cfg.rtsp_url,
    hint: 'rtsp:// or rtsps:// with the camera’s address; a password shows as ***.', attrs: { autocomplete: 'off', spellcheck: 'false', inputmode: 'url' } });
  const rtmp = field({ label: 'Destination URL (RTMP)', name: 'rtmp_url', value: cfg.rtmp_url,
    hint: 'rtmp:// or rtmps:// with an application path; the stream key shows as **** and its last 4 characters.', attrs: { autocomplete: 'off', spellcheck: 'false', inputmode: 'url' } });
  const rtspIn = rtsp.querySelector('input');
  const rtmpIn = rtmp.querySelector('input');
  const reveal = h('button', { type: 'button', class: 'btn', 'aria-pressed': 'false' }, 'Reveal secrets');
  reveal.addEventListener('click', async () => {
    if (reveal.getAttribute('aria-pressed') === 'true') {
      if (rtspIn.value === revealed.rtsp_url) rtspIn.value = cfg.rtsp_url;
      if (rtmpIn.value === revealed.rtmp_url) rtmpIn.value = cfg.rtmp_url;
      revealed = null; // hidden means out of the page: fetched again if a save needs the real URL
      reveal.setAttribute('aria-pressed', 'false');
      reveal.textContent = 'Reveal secrets';
      return;
    }
    try {
      revealed = await get(`${path(stream, '/config')}?reveal=true`);
      if (rtspIn.value === cfg.rtsp_url) rtspIn.value = revealed.rtsp_url;
      if (rtmpIn.value === cfg.rtmp_url) rtmpIn.value = revealed.rtmp_url;
      reveal.setAttribute('aria-pressed', 'true');
      reveal.textContent = 'Hide secrets';
    } catch (e) { toast(e.message, 'error'); }
  });
  // A field still showing the masked value means "unchanged": the real value is sent, never the mask.
  async function real(input, key) {
    if (input.value !== cfg[key]) return input.value;
    if (!revealed) revealed = await get(`${path(stream, '/config')}?reveal=true`);
    return revealed[key];
  }
  const probeOut = h('div', { class: 'probe', role: 'status', 'aria-live': 'polite', hidden: true });
  const probeBtn = h('button', { type: 'button', class: 'btn' }, 'Check camera');
  probeBtn.addEventListener('click', async () => {
    probeBtn.setAttribute('aria-busy', 'true');
    probeBtn.disabled = true;
    probeOut.hidden = false;
    clear(probeOut).append('Asking the camera what it sends… (up to 15 s)');
    try {
      const r = await post('/api/probe', { rtsp_url: await real(rtspIn, 'rtsp_url') });
      clearFieldErrors(form);
      clear(probeOut);
      if (r.ok) {
        const v = r.video || {};
        probeOut.append(h('strong', {}, 'The camera answers.'), h('ul', {},
          h('li', {}, `Video: ${v.codec || 'codec not reported'}, ${v.width && v.height ? `${v.width}×${v.height}` : 'size not reported'}, `
            + `${v.fps ? `${v.fps.toFixed(1)} fps` : 'frame rate not reported'}`),
          h('li', {}, v.keyframe_interval_s ? `Keyframe every ${v.keyframe_interval_s.toFixed(1)} s` : 'Keyframe interval: not measured'),
          h('li', {}, `Audio: ${r.audio ? r.audio.codec : 'none'}`)));
      } else {
        probeOut.append(h('strong', {}, 'The camera cannot be used: '), r.message || 'no answer');
      }
      if (r.advice && r.advice.length) probeOut.append(h('ul', {}, r.advice.map((a) => h('li', {}, a))));
    } catch (e) {
      const rest = showErrors(form, e);
      clear(probeOut).append(rest.length || !e.errors.length ? `Check failed: ${e.message}` : 'Fix the camera URL first.');
    } finally {
      probeBtn.removeAttribute('aria-busy');
      probeBtn.disabled = false;
    }
  });
  const restart = h('input', { type: 'checkbox', id: `restart-${stream.id}`, name: 'restart_stream', checked: true });
  const save = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Save URLs');
  const status = h('p', { class: 'feedback', role: 'status', 'aria-live': 'polite' });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    save.setAttribute('aria-busy', 'true');
    save.disabled = true;
    status.textContent = 'Saving…';
    try {
      const body = { rtsp_url: await real(rtspIn, 'rtsp_url'), rtmp_url: await real(rtmpIn, 'rtmp_url'), restart_stream: restart.checked };
      await put(path(stream, '/config/urls'), body);
      clearFieldErrors(form);
      status.textContent = restart.checked ? 'Saved; a running stream restarts on the new URLs.' : 'Saved.';
      toast(`${stream.name}: URLs saved`);
      revealed = null;
      const fresh = await get(path(stream, '/config'));
      Object.assign(cfg, fresh);
      rtspIn.value = fresh.rtsp_url;
      rtmpIn.value = fresh.rtmp_url;
      reveal.setAttribute('aria-pressed', 'false');
      reveal.textContent = 'Reveal secrets';
      document.dispatchEvent(new CustomEvent('history-changed'));
    } catch (e) {
      const rest = showErrors(form, e);
      status.textContent = rest.length ? `${e.message}: ${rest.map((r) => `${r.field} ${r.message}`).join('; ')}` : e.message;
    } finally {
      save.removeAttribute('aria-busy');
      save.disabled = false;
    }
  });
  form.append(h('h2', { id: 'urls-title' }, 'Camera and destination'), rtsp, rtmp,
    h('div', { class: 'actions' }, reveal, probeBtn), probeOut,
    h('label', { class: 'check', for: restart.id }, restart, 'Restart the stream now if it is running'),
    h('div', { class: 'actions' }, save), status);
  return form;
}

function encodingForm(stream, cfg, presets) {
  const form = h('form', { class: 'form', novalidate: true, 'aria-labelledby': 'enc-title' });
  const select = h('select', {});
  select.append(h('option', { value: '' }, 'Custom parameters'));
  for (const p of presets) {
    const o = h('option', { value: p.name, disabled: p.available ? null : true },
      `${p.name}${p.available ? '' : ' (not available on this board)'}`);
    select.append(o);
  }
  select.value = cfg.preset || '';
  const presetField = field({ label: 'Preset', name: 'preset', control: select });
  const desc = h('p', { class: 'hint', 'aria-live': 'polite' });
  const params = field({ label: 'ffmpeg parameters', name: 'ffmpeg_params', type: 'textarea', value: cfg.ffmpeg_params,
    hint: 'Output options only; inputs, outputs and file or pipe protocols are refused.', attrs: { spellcheck: 'false' } });
  const paramsIn = params.querySelector('textarea');
  const describe = () => {
    const p = presets.find((x) => x.name === select.value);
    desc.textContent = p ? `${p.description}${p.available ? '' : ` — not available here: ${p.reason || 'encoder missing'}`}` : 'Your own ffmpeg output parameters, below.';
    if (p) paramsIn.value = p.ffmpeg_params;
    paramsIn.readOnly = Boolean(p);
  };
  select.addEventListener('change', describe);
  describe();
  paramsIn.value = cfg.ffmpeg_params || paramsIn.value;
  const auto = h('input', { type: 'checkbox', id: `auto-${stream.id}`, name: 'auto_restart', checked: cfg.auto_restart ? true : null });
  const keep = h('input', { type: 'checkbox', id: `keep-${stream.id}`, name: 'keep_session', checked: cfg.keep_session !== false ? true : null,
    'aria-describedby': `keep-hint-${stream.id}` });
  const keepHint = h('p', { class: 'hint', id: `keep-hint-${stream.id}` },
    'On: camera changes and outages never close the connection to the destination, so a live broadcast does not end; '
    + 'a slate says the camera is offline while it is gone. Off: ffmpeg restarts on every change.');
  const status = h('p', { class: 'feedback', role: 'status', 'aria-live': 'polite' });
  const apply = async (andRestart, button) => {
    button.setAttribute('aria-busy', 'true');
    status.textContent = 'Applying…';
    const body = { auto_restart: auto.checked, keep_session: keep.checked };
    if (select.value) { if (select.value !== cfg.preset) body.preset = select.value; }
    else if (paramsIn.value !== cfg.ffmpeg_params || cfg.preset) body.ffmpeg_params = paramsIn.value;
    try {
      await put(path(stream, '/config'), body);
      clearFieldErrors(form);
      Object.assign(cfg, await get(path(stream, '/config')));
      // a restart would start a stream its owner stopped: a stopped one only keeps the change for its next start
      const stopped = (store.status.get(stream.id)?.state || stream.state || 'stopped') === 'stopped';
      if (andRestart && !stopped) await post(path(stream, '/restart'), {});
      status.textContent = andRestart && !stopped ? 'Applied; the stream is restarting.'
        : andRestart ? 'Applied; the stream is stopped, so it is used from its next start.' : 'Applied; used from the next start.';
      toast(`${stream.name}: encoding saved`);
    } catch (e) {
      const rest = showErrors(form, e);
      status.textContent = rest.length ? `${e.message}: ${rest.map((r) => `${r.field} ${r.message}`).join('; ')}` : e.message;
    } finally {
      button.removeAttribute('aria-busy');
    }
  };
  const applyBtn = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Apply');
  const applyRestartBtn = h('button', { type: 'button', class: 'btn' }, 'Apply and restart');
  form.addEventListener('submit', (ev) => { ev.preventDefault(); apply(false, applyBtn); });
  applyRestartBtn.addEventListener('click', () => apply(true, applyRestartBtn));
  form.append(h('h2', { id: 'enc-title' }, 'Encoding'), presetField, desc, params,
    h('label', { class: 'check', for: auto.id }, auto, 'Restart automatically after a failure'),
    h('label', { class: 'check', for: keep.id }, keep, "Keep the destination's session across camera changes and outages"), keepHint,
    h('div', { class: 'actions' }, applyBtn, applyRestartBtn), status);
  return form;
}

function historyPanel(stream) {
  const panel = h('section', { class: 'panel', 'aria-labelledby': 'hist-title' });
  const load = async () => {
    clear(panel).append(h('h2', { id: 'hist-title' }, 'URL history'));
    try {
      const data = await get(`${path(stream, '/history')}?limit=50`);
      const rows = data.history || data.changes || [];
      if (!rows.length) { panel.append(h('p', { class: 'empty' }, 'No URL changes yet.')); return; }
      const urls = (o, n) => (o === n ? (n || '—') : `${o || '—'} → ${n || '—'}`);
      panel.append(dataTable('URL history', `URL changes of ${stream.name}, newest first`, ['When', 'From', 'Camera', 'Destination'],
        rows.map((r) => h('tr', {},
          td('When', { class: 'when' }, fmtTime(r.changed_at)),
          td('From', {}, badge('source', r.change_source, SOURCE_WORDS[r.change_source] || r.change_source)),
          td('Camera', { class: 'msg mono' }, urls(r.old_rtsp_url, r.new_rtsp_url)),
          td('Destination', { class: 'msg mono' }, urls(r.old_rtmp_url, r.new_rtmp_url))))));
    } catch (e) {
      panel.append(h('p', { class: 'error-state' }, `The history could not be loaded: ${e.message}`));
    }
  };
  load();
  const again = () => load();
  document.addEventListener('history-changed', again);
  return { el: panel, dispose: () => document.removeEventListener('history-changed', again) };
}

function addStreamForm(onAdded) {
  const form = h('form', { class: 'form panel', novalidate: true, 'aria-labelledby': 'add-title', id: 'add-stream' });
  const status = h('p', { class: 'feedback', role: 'status', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Add stream');
  form.append(h('h2', { id: 'add-title' }, 'Add a stream'),
    h('div', { class: 'two-col' },
      field({ label: 'Name', name: 'name', hint: '1–32 characters: a–z, 0–9 and -', attrs: { autocomplete: 'off', spellcheck: 'false', maxlength: 32 } }),
      h('div')),
    h('div', { class: 'two-col' },
      field({ label: 'Camera URL (RTSP)', name: 'rtsp_url', attrs: { autocomplete: 'off', spellcheck: 'false', inputmode: 'url', placeholder: 'rtsp://user:password@camera/stream' } }),
      field({ label: 'Destination URL (RTMP)', name: 'rtmp_url', attrs: { autocomplete: 'off', spellcheck: 'false', inputmode: 'url', placeholder: 'rtmp://a.rtmp.youtube.com/live2/KEY' } })),
    h('div', { class: 'actions' }, submit), status);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (store.legacy) { status.textContent = 'This appliance’s version runs one stream only.'; return; }
    const v = (n) => form.querySelector(`[name="${n}"]`).value.trim();
    submit.setAttribute('aria-busy', 'true');
    status.textContent = 'Adding…';
    try {
      const r = await post('/api/streams', { name: v('name'), rtsp_url: v('rtsp_url'), rtmp_url: v('rtmp_url') });
      clearFieldErrors(form);
      form.reset();
      status.textContent = `Added ${r.name}; it is stopped until you start it.`;
      toast(`Stream ${r.name} added`);
      await loadStreams();
      onAdded(r.name);
    } catch (e) {
      const rest = showErrors(form, e);
      status.textContent = rest.length ? `${e.message}: ${rest.map((r) => `${r.field} ${r.message}`).join('; ')}` : e.message;
    } finally {
      submit.removeAttribute('aria-busy');
    }
  });
  return form;
}

export function renderConfiguration(main, params) {
  let disposers = [];
  const body = h('div');
  const picker = h('select', { id: 'stream-picker' });
  const head = h('div', { class: 'page-head' }, h('h1', {}, 'Configuration'),
    h('div', { class: 'field' }, h('label', { for: 'stream-picker' }, 'Stream'), picker));
  main.append(head, body, addStreamForm((name) => { params.set('stream', name); show(); }));

  const current = () => store.streams.find((s) => s.name === params.get('stream')) || defaultStream();
  const fillPicker = () => {
    clear(picker).append(...store.streams.map((s) => h('option', { value: s.name }, s.name)));
    const c = current();
    if (c) picker.value = c.name;
  };
  picker.addEventListener('change', () => {
    params.set('stream', picker.value);
    history.replaceState(null, '', `/configuration?stream=${encodeURIComponent(picker.value)}`);
    show();
  });

  async function show() {
    disposers.forEach((d) => d());
    disposers = [];
    fillPicker();
    const stream = current();
    clear(body);
    if (!stream) { body.append(h('p', { class: 'empty' }, 'No streams yet: add one below.')); return; }
    body.append(h('p', { class: 'loading' }, 'Loading the configuration…'));
    try {
      const [cfg, presets] = await Promise.all([get(path(stream, '/config')), get('/api/presets')]);
      const remove = h('button', { type: 'button', class: 'btn btn-danger' }, `Remove ${stream.name}`);
      const isDefault = defaultStream() && defaultStream().id === stream.id;
      remove.disabled = isDefault || store.legacy;
      remove.title = isDefault ? 'The default stream cannot be removed' : '';
      remove.addEventListener('click', () => confirmRemove(stream));
      const hist = historyPanel(stream);
      disposers.push(hist.dispose);
      clear(body).append(
        h('div', { class: 'two-col' },
          h('section', { class: 'panel' }, urlsForm(stream, cfg)),
          h('section', { class: 'panel' }, encodingForm(stream, cfg, presets.presets || []))),
        hist.el,
        h('section', { class: 'panel', 'aria-labelledby': 'remove-title' }, h('h2', { id: 'remove-title' }, 'Remove this stream'),
          h('p', { class: 'muted' }, isDefault ? 'The default stream stays; its URLs can be changed above.'
            : 'The stream stops and leaves the list. Its logs and URL history stay readable.'), remove));
    } catch (e) {
      clear(body).append(h('p', { class: 'error-state' }, `The configuration could not be loaded: ${e.message}`));
    }
  }

  async function confirmRemove(stream) {
    const dialog = h('dialog', { 'aria-labelledby': 'confirm-title' },
      h('h2', { id: 'confirm-title' }, `Remove ${stream.name}?`),
      h('p', {}, 'The stream stops now and is removed. Its logs and history are kept.'),
      h('form', { method: 'dialog', class: 'actions' },
        h('button', { class: 'btn', value: 'cancel' }, 'Cancel'),
        h('button', { class: 'btn btn-danger', value: 'remove' }, 'Remove')));
    const opener = document.activeElement;
    document.body.append(dialog);
    dialog.addEventListener('close', async () => {
      dialog.remove();
      if (dialog.returnValue !== 'remove') {
        if (opener && opener.isConnected) opener.focus(); // the keyboard goes on from where it was
        return;
      }
      try {
        await del(`/api/streams/${encodeURIComponent(stream.id)}`);
        toast(`Stream ${stream.name} removed`);
        params.delete('stream');
        await loadStreams();
        await show();
        picker.focus(); // its button is gone with it: the focus goes to the stream shown now
      } catch (e) { toast(`Could not remove ${stream.name}: ${e.message}`, 'error'); }
    });
    dialog.showModal();
  }

  show();
  if (params.get('add')) setTimeout(() => document.querySelector('#add-stream input[name="name"]')?.focus(), 50);
  const off = onChange((what) => { if (what === 'streams') fillPicker(); });
  return () => { off(); disposers.forEach((d) => d()); };
}

export { byId };
