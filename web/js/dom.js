// Small DOM helpers: every text goes in through textContent, never as HTML.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

const SVG = 'http://www.w3.org/2000/svg';
export function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) el.setAttribute(k, String(v));
  append(el, children);
  return el;
}

export function clear(el) { while (el.firstChild) el.firstChild.remove(); return el; }

let idCounter = 0;
export function uid(prefix) { idCounter += 1; return `${prefix}-${idCounter}`; }

export function toast(message, kind = 'info') {
  const box = document.getElementById('toasts');
  if (!box) return;
  const t = h('div', { class: `toast ${kind === 'error' ? 'error' : ''}` }, message);
  box.append(t);
  setTimeout(() => t.remove(), kind === 'error' ? 8000 : 4000);
}

export function fmtDuration(seconds) {
  if (seconds === null || seconds === undefined || !(seconds >= 0)) return '—';
  const s = Math.floor(seconds);
  const d = Math.floor(s / 86400), hr = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  if (d > 0) return `${d}d ${hr}h`;
  if (hr > 0) return `${hr}h ${String(m).padStart(2, '0')}m`;
  return `${m}m ${String(sec).padStart(2, '0')}s`;
}

export function fmtNum(v, digits = 1, unit = '') {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  return `${Number(v).toFixed(digits)}${unit}`;
}

export function fmtTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const time = d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  if (d.toDateString() === new Date().toDateString()) return time;
  const sameYear = d.getFullYear() === new Date().getFullYear();
  return `${d.toLocaleDateString(undefined, { day: 'numeric', month: 'short', ...(sameYear ? {} : { year: 'numeric' }) })} ${time}`;
}

/** A table that turns into stacked rows on a phone: each cell carries its column's name. */
export function dataTable(label, caption, columns, rows) {
  return h('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': label }, h('table', { class: 'stack' },
    h('caption', { class: 'visually-hidden' }, caption),
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col' }, c)))),
    rows instanceof Node ? rows : h('tbody', {}, rows)));
}

/** A table cell with its column name for the stacked phone layout. */
export function td(label, attrs, ...children) {
  return h('td', { ...attrs, 'data-label': label }, ...children);
}

export function fmtAgo(iso) {
  if (!iso) return 'never';
  const s = Math.max(0, Math.round((Date.now() - new Date(iso).getTime()) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  return fmtTime(iso);
}

/** A field's error shown next to it; the field is marked invalid and points at the message. */
export function setFieldError(form, field, message) {
  const input = form.querySelector(`[name="${field}"]`);
  const box = form.querySelector(`[data-error-for="${field}"]`);
  if (box) box.textContent = message || '';
  if (input) {
    if (message) input.setAttribute('aria-invalid', 'true'); else input.removeAttribute('aria-invalid');
  }
  return Boolean(box);
}

export function clearFieldErrors(form) {
  form.querySelectorAll('[data-error-for]').forEach((b) => { b.textContent = ''; });
  form.querySelectorAll('[aria-invalid]').forEach((i) => i.removeAttribute('aria-invalid'));
}

/** Shows an API error's field errors beside their fields; returns the ones that have no field here. */
export function showErrors(form, err) {
  clearFieldErrors(form);
  const rest = [];
  for (const e of (err && err.errors) || []) {
    if (!setFieldError(form, e.field, `${labelOf(form, e.field)} ${e.message}`)) rest.push(e);
  }
  const first = form.querySelector('[aria-invalid="true"]');
  if (first) first.focus();
  return rest;
}

function labelOf(form, field) {
  const input = form.querySelector(`[name="${field}"]`);
  const label = input && input.id ? form.querySelector(`label[for="${input.id}"]`) : null;
  return label ? label.textContent.trim() : field;
}

/** A labelled form field with its error box. */
export function field({ label, name, value = '', type = 'text', hint, attrs = {}, control }) {
  const id = uid(name);
  const errId = `${id}-error`;
  const hintId = hint ? `${id}-hint` : null;
  const input = control || h(type === 'textarea' ? 'textarea' : 'input', {
    id, name, ...(type === 'textarea' ? {} : { type }), ...attrs,
  });
  input.id = id;
  input.name = name;
  if (type === 'textarea') input.value = value ?? ''; else if (!control) input.value = value ?? '';
  input.setAttribute('aria-describedby', [hintId, errId].filter(Boolean).join(' '));
  return h('div', { class: 'field' },
    h('label', { for: id }, label),
    input,
    hint ? h('p', { class: 'hint', id: hintId }, hint) : null,
    h('p', { class: 'field-error', id: errId, 'data-error-for': name }));
}

export function badge(kind, value, text) {
  return h('span', { class: `badge ${kind}-${value}` }, text ?? value);
}
