// The router: path URLs under the dashboard's root (History API); each page module renders into <main> and
// answers a function that stops its polling and streams when the user leaves.
import { uiRoot } from './api.js';
import { $$ } from './html.js';
import * as overview from './pages/overview.js';
import * as jobs from './pages/jobs.js';
import * as job from './pages/job.js';
import * as edit from './pages/edit.js';
import * as create from './pages/create.js';
import * as execution from './pages/execution.js';
import * as misses from './pages/misses.js';
import * as busy from './pages/busy.js';
import * as notFound from './pages/notfound.js';

const ROUTES = [
  [/^$/, overview, 'overview'],
  [/^jobs\/?$/, jobs, 'jobs'],
  [/^jobs\/new\/?$/, create, 'new'],
  [/^jobs\/([^/]+)\/edit\/?$/, edit, 'jobs'],
  [/^jobs\/([^/]+)\/misses\/?$/, misses, 'jobs'],
  [/^jobs\/([^/]+)\/executions\/([^/]+)\/?$/, execution, 'jobs'],
  [/^jobs\/([^/]+)\/?$/, job, 'jobs'],
  [/^busy\/?$/, busy, 'busy'],
];

const main = document.getElementById('main');
let leave = null;

function route() {
  const path = location.pathname.startsWith(uiRoot) ? location.pathname.slice(uiRoot.length) : '';
  let page = notFound;
  let params = [];
  let nav = null;
  for (const [re, mod, n] of ROUTES) {
    const m = re.exec(path);
    if (m) {
      page = mod;
      params = m.slice(1).map(decodeURIComponent);
      nav = n;
      break;
    }
  }
  if (leave) leave();
  leave = null;
  flash(null);
  $$('nav a').forEach((a) => a.toggleAttribute('aria-current', a.dataset.nav === nav));
  const query = new URLSearchParams(location.search);
  leave = page.render(main, params, query) || null;
}

/** Goes to a dashboard path (relative to the root, e.g. "jobs/backup"). */
export function go(path, { replace = false } = {}) {
  const url = uiRoot + path;
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  route();
  // Focus moves into the new page (links and forms alike), so the next Tab starts in it and a screen reader
  // reads it; otherwise it would stay on the link, in a page that is gone.
  main.focus({ preventScroll: false });
}

/** Shows a message at the top of the page (an error in plain words, or a confirmation); null hides it. */
export function flash(message, kind = 'error') {
  const el = document.getElementById('flash');
  el.textContent = message || '';
  el.className = message ? `flash ${kind}` : '';
}

/** A polling page's error: shown until its next success clears it (other messages stay). */
export function pollFailed(message) {
  flash(message, 'error poll');
}

export function pollSucceeded() {
  if (document.getElementById('flash').classList.contains('poll')) flash(null);
}

document.addEventListener('click', (e) => {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = e.target.closest('a[href]');
  if (!a || a.target || a.hasAttribute('download')) return;
  // An in-page link ("Skip to content"): the <base> would resolve "#main" to the root page, so it would
  // navigate to the overview; it moves focus to its target instead.
  const hash = a.getAttribute('href');
  if (hash.startsWith('#')) {
    const target = document.getElementById(decodeURIComponent(hash.slice(1)));
    if (target) {
      e.preventDefault();
      target.focus();
    }
    return;
  }
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || !url.pathname.startsWith(uiRoot)) return;
  e.preventDefault();
  go(url.pathname.slice(uiRoot.length) + url.search);
});
window.addEventListener('popstate', route);
route();
