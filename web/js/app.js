// The dashboard: one document, four pages routed on the client (/, /configuration, /logs, /settings).
import { del } from './api.js';
import { renderConfiguration } from './configuration.js';
import { clear, h } from './dom.js';
import { renderHome } from './home.js';
import { connect } from './live.js';
import { renderLogs } from './logs.js';
import { renderSettings } from './settings.js';
import { loadStreams } from './streams.js';

const PAGES = {
  '/': { title: 'Streams', render: renderHome },
  '/configuration': { title: 'Configuration', render: renderConfiguration },
  '/logs': { title: 'Logs', render: renderLogs },
  '/settings': { title: 'Settings', render: renderSettings },
};
const main = document.getElementById('main');
let dispose = () => {};

function render(focus) {
  const page = PAGES[location.pathname] || PAGES['/'];
  dispose();
  clear(main);
  document.title = `${page.title} · streamrelay`;
  document.querySelectorAll('[data-route]').forEach((a) => {
    if (a.closest('nav')) {
      if (a.getAttribute('href') === location.pathname) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
  });
  dispose = page.render(main, new URLSearchParams(location.search)) || (() => {});
  if (focus) main.focus();
}

document.addEventListener('click', (ev) => {
  const a = ev.target.closest('a[data-route]');
  if (!a || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.button !== 0) return;
  ev.preventDefault();
  history.pushState(null, '', a.getAttribute('href'));
  render(true);
});
window.addEventListener('popstate', () => render(true));
document.getElementById('sign-out').addEventListener('click', async () => {
  try { await del('/api/session'); } finally { location.assign('/login'); }
});

(async () => {
  try {
    await loadStreams();
  } catch (e) {
    clear(main).append(h('div', { class: 'error-state' }, h('h1', {}, 'The appliance did not answer'),
      h('p', {}, e.message), h('p', {}, 'Reload the page to try again.')));
    return;
  }
  connect();
  render(false);
})();
