// Settings: the control server (URL, token, on/off), the admin password, the API token, log retention, about.
import { del, get, post, put } from './api.js';
import { badge, clear, clearFieldErrors, dataTable, field, h, showErrors, td, toast } from './dom.js';

function section(id, title, ...children) {
  return h('section', { class: 'panel', 'aria-labelledby': id }, h('h2', { id }, title), ...children);
}

function submitting(form, button, status, work) {
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    button.setAttribute('aria-busy', 'true');
    button.disabled = true;
    status.textContent = 'Saving…';
    try {
      status.textContent = await work();
      clearFieldErrors(form);
    } catch (e) {
      const rest = showErrors(form, e);
      status.textContent = rest.length ? `${e.message}: ${rest.map((r) => `${r.field} ${r.message}`).join('; ')}` : e.message;
    } finally {
      button.removeAttribute('aria-busy');
      button.disabled = false;
    }
  });
}

function sseForm(settings) {
  const form = h('form', { class: 'form', novalidate: true });
  const enabled = h('input', { type: 'checkbox', id: 'sse-enabled', name: 'sse_enabled', checked: settings.sse_enabled ? true : null });
  const urlField = field({ label: 'Control server URL', name: 'sse_url', value: settings.sse_url || '',
    hint: 'An http:// or https:// address that sends server-sent events.', attrs: { autocomplete: 'off', spellcheck: 'false', inputmode: 'url' } });
  const tokenField = field({ label: 'Token', name: 'sse_token', type: 'password',
    hint: settings.sse_token_set ? 'A token is set. Leave empty to keep it.' : 'No token set. Leave empty if the server needs none.',
    attrs: { autocomplete: 'new-password' } });
  const clearToken = h('input', { type: 'checkbox', id: 'sse-clear-token' });
  const save = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Save');
  const status = h('p', { class: 'feedback', role: 'status', 'aria-live': 'polite' });
  const originalUrl = settings.sse_url || '';
  submitting(form, save, status, async () => {
    const body = { sse_enabled: enabled.checked };
    const url = form.querySelector('[name="sse_url"]').value.trim();
    if (url !== originalUrl) body.sse_url = url; // the shown URL is masked; unchanged means keep
    const token = form.querySelector('[name="sse_token"]').value;
    if (clearToken.checked) body.sse_token = null; else if (token) body.sse_token = token;
    await put('/api/settings', body);
    form.querySelector('[name="sse_token"]').value = '';
    toast('Control server settings saved');
    return 'Saved.';
  });
  form.append(h('label', { class: 'check', for: 'sse-enabled' }, enabled, 'Take URL updates from the control server'),
    urlField, tokenField,
    ...(settings.sse_token_set ? [h('label', { class: 'check', for: 'sse-clear-token' }, clearToken, 'Remove the stored token')] : []),
    h('div', { class: 'actions' }, save), status);
  return form;
}

function passwordForm() {
  const form = h('form', { class: 'form', novalidate: true });
  const save = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Change password');
  const status = h('p', { class: 'feedback', role: 'status', 'aria-live': 'polite' });
  form.append(
    field({ label: 'Current password', name: 'current_password', type: 'password', attrs: { autocomplete: 'current-password' } }),
    field({ label: 'New password', name: 'new_password', type: 'password', hint: 'At least 8 characters.', attrs: { autocomplete: 'new-password' } }),
    field({ label: 'New password again', name: 'confirm_password', type: 'password', attrs: { autocomplete: 'new-password' } }),
    h('div', { class: 'actions' }, save), status);
  submitting(form, save, status, async () => {
    const v = (n) => form.querySelector(`[name="${n}"]`).value;
    if (v('new_password') !== v('confirm_password')) {
      const err = new Error('The passwords differ');
      err.errors = [{ field: 'confirm_password', message: 'is not the same as the new password' }];
      throw err;
    }
    const r = await put('/api/settings/password', { current_password: v('current_password'), new_password: v('new_password') });
    form.reset();
    toast('Password changed');
    return r.message;
  });
  return form;
}

function tokenPanel(settings) {
  const box = h('div', { class: 'form' });
  let isSet = settings.api_token_set;
  const state = h('p');
  const shown = h('div', { 'aria-live': 'polite' });
  const create = h('button', { type: 'button', class: 'btn btn-primary' });
  const revoke = h('button', { type: 'button', class: 'btn btn-danger' }, 'Revoke token');
  const render = () => {
    clear(state).append('API token: ', badge('state', isSet ? 'running' : 'stopped', isSet ? 'Set' : 'None'));
    create.textContent = isSet ? 'Replace with a new token' : 'Create token';
    revoke.disabled = !isSet;
  };
  create.addEventListener('click', async () => {
    create.setAttribute('aria-busy', 'true');
    try {
      const r = await post('/api/settings/token', {});
      isSet = true;
      const out = h('input', { id: 'new-token', readonly: true, value: r.token, class: 'mono' });
      const copy = h('button', { type: 'button', class: 'btn btn-small' }, 'Copy');
      copy.addEventListener('click', async () => {
        out.select();
        try { await navigator.clipboard.writeText(r.token); toast('Token copied'); } catch (e) { toast('Select the token and copy it'); }
      });
      clear(shown).append(h('div', { class: 'secret-once' },
        h('label', { for: 'new-token' }, 'Your new API token. It is shown only now: store it.'),
        h('div', { class: 'input-row' }, out, copy),
        h('p', { class: 'small' }, 'Use it as: Authorization: Bearer <token>. The previous token no longer works.')));
      render();
    } catch (e) { toast(e.message, 'error'); } finally { create.removeAttribute('aria-busy'); }
  });
  revoke.addEventListener('click', async () => {
    try {
      const r = await del('/api/settings/token');
      isSet = false;
      clear(shown);
      toast(r.message);
      render();
    } catch (e) { toast(e.message, 'error'); }
  });
  render();
  box.append(state, h('p', { class: 'muted' }, 'Scripts use the API token instead of the admin password.'),
    h('div', { class: 'actions' }, create, revoke), shown);
  return box;
}

function retentionForm(settings) {
  const form = h('form', { class: 'form', novalidate: true });
  const save = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Save');
  const status = h('p', { class: 'feedback', role: 'status', 'aria-live': 'polite' });
  form.append(field({ label: 'Keep log rows for (days)', name: 'log_retention_days', type: 'number', value: settings.log_retention_days,
    attrs: { min: 1, max: 3650, step: 1, inputmode: 'numeric' } }), h('div', { class: 'actions' }, save), status);
  submitting(form, save, status, async () => {
    const raw = form.querySelector('[name="log_retention_days"]').value;
    await put('/api/settings', { log_retention_days: raw === '' ? null : Number(raw) });
    return 'Saved.';
  });
  return form;
}

async function aboutPanel() {
  const box = h('div', {}, h('p', { class: 'loading' }, 'Asking ffmpeg…'));
  try {
    const a = await get('/api/about');
    clear(box).append(
      h('dl', { class: 'kv' },
        h('dt', {}, 'streamrelay'), h('dd', {}, a.version || 'development build'),
        h('dt', {}, 'ffmpeg'), h('dd', {}, a.ffmpeg_version || 'unknown'),
        h('dt', {}, 'Java'), h('dd', {}, a.java_version || '—')),
      h('h3', {}, 'Encoders on this board'),
      dataTable('Encoders', 'Encoders used by the presets, and whether this board can run them',
        ['Preset', 'Encoder', 'Available', 'Why'],
        (a.encoders || []).map((e) => h('tr', {},
          td('Preset', { class: 'mono' }, e.preset), td('Encoder', { class: 'mono' }, e.encoder),
          td('Available', {}, badge('state', e.available ? 'running' : 'stopped', e.available ? 'Yes' : 'No')),
          td('Why', { class: 'msg' }, e.reason || '')))));
  } catch (e) {
    clear(box).append(h('p', { class: 'error-state' }, `Could not read the appliance’s details: ${e.message}`));
  }
  return box;
}

export function renderSettings(main) {
  const body = h('div', {}, h('p', { class: 'loading' }, 'Loading settings…'));
  main.append(h('div', { class: 'page-head' }, h('h1', {}, 'Settings')), body);
  (async () => {
    try {
      const settings = await get('/api/settings');
      const about = h('div');
      clear(body).append(
        h('div', { class: 'two-col' },
          h('div', {}, section('sse-settings', 'Control server', sseForm(settings)),
            section('retention', 'Log retention', retentionForm(settings))),
          h('div', {}, section('password', 'Admin password', passwordForm()),
            section('tokens', 'API token', tokenPanel(settings)))),
        section('about', 'About this appliance', about));
      about.append(await aboutPanel());
    } catch (e) {
      clear(body).append(h('p', { class: 'error-state' }, `Settings could not be loaded: ${e.message}`));
    }
  })();
  return () => {};
}
