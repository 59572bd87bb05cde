// A line chart of the last 10 minutes, drawn as SVG by the page (no library).
import { h, s } from './dom.js';

const W = 300, H = 72, WINDOW_MS = 10 * 60 * 1000;

function niceMax(v) {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/** samples: [{t, value}] (value null for a gap). */
export function chart({ title, unit, samples, lineClass, digits = 0 }) {
  const now = Date.now();
  const values = samples.map((p) => p.value).filter((v) => v !== null && v !== undefined);
  const max = niceMax(Math.max(0, ...values) * 1.1);
  const x = (t) => ((t - (now - WINDOW_MS)) / WINDOW_MS) * W;
  const y = (v) => H - 4 - (v / max) * (H - 10);
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', 'aria-hidden': 'true', focusable: 'false' },
    s('line', { class: 'gridline', x1: 0, x2: W, y1: y(max / 2), y2: y(max / 2) }),
    s('line', { class: 'gridline', x1: 0, x2: W, y1: y(0), y2: y(0) }));
  let run = [];
  const flush = () => {
    if (run.length > 1) {
      svg.append(s('polyline', { class: lineClass, fill: 'none', 'stroke-width': 2, 'vector-effect': 'non-scaling-stroke',
        'stroke-linejoin': 'round', points: run.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join(' ') }));
    } else if (run.length === 1) {
      svg.append(s('circle', { class: lineClass, cx: run[0][0], cy: run[0][1], r: 1.5, fill: 'currentColor' }));
    }
    run = [];
  };
  for (const p of samples) {
    if (p.value === null || p.value === undefined) { flush(); continue; }
    run.push([x(p.t), y(p.value)]);
  }
  flush();
  const last = values.length ? values[values.length - 1] : null;
  const summary = values.length
    ? `${title} over the last 10 minutes: now ${last.toFixed(digits)} ${unit}, highest ${Math.max(...values).toFixed(digits)} ${unit}`
    : `${title}: no data in the last 10 minutes`;
  return h('figure', { class: 'chart', role: 'img', 'aria-label': summary },
    h('figcaption', {}, h('span', {}, `${title} · 10 min`), h('span', {}, last === null ? '—' : `${last.toFixed(digits)} ${unit}`)),
    values.length ? svg : h('div', { class: 'chart-empty', 'aria-hidden': 'true' }, 'No data yet'));
}
