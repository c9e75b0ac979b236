// Jobs: the server pages, searches, filters and sorts (so 10,000 jobs cost one page's worth); the query lives
// in the URL so a filtered list is a link. Bulk run, toggle and delete act on the ticked jobs.
import { request, get, post, del, seg } from '../api.js';
import { html, render, $, $$ } from '../html.js';
import { poll } from '../poll.js';
import { ago, jobStatus } from '../fmt.js';
import { flash, go } from '../app.js';

const PAGE = 25;
const SORTS = [['id', 'Name'], ['next', 'Next run'], ['last_success', 'Last success'], ['last_error', 'Last error'],
  ['success_count', 'Successes'], ['error_count', 'Errors'], ['schedule', 'Schedule']];

/** The API query for the page's URL query: only the filters the API knows, plus the page's slice. */
function apiQuery(q) {
  const out = new URLSearchParams();
  for (const k of ['q', 'status', 'disabled', '_sort', '_order']) if (q.get(k)) out.set(k, q.get(k));
  for (const family of ['metadata', 'tags']) {
    for (const m of (q.get(family) || '').split(',').map((s) => s.trim()).filter(Boolean)) {
      const i = m.indexOf('=');
      if (i > 0) out.append(`${family}[${m.slice(0, i).trim()}]`, m.slice(i + 1).trim());
    }
  }
  const page = Math.max(0, Number(q.get('page') || 0) | 0);
  out.set('_start', String(page * PAGE));
  out.set('_end', String(page * PAGE + PAGE));
  return out;
}

export function render_(main, _params, query) {
  const q = query;
  const sel = (name, options) => html`<select name="${name}" id="f-${name}" data-test="filter-${name}">
    ${options.map(([v, label]) => html`<option value="${v}" ${q.get(name) === v ? 'selected' : ''}>${label}</option>`)}
  </select>`;
  render(main, html`<h1>Jobs</h1>
    <form class="filters" data-test="filters" role="search">
      <label>Search <input type="search" name="q" value="${q.get('q') || ''}" placeholder="name" data-test="filter-q"></label>
      <label>Status ${sel('status', [['', 'any'], ['success', 'success'], ['failed', 'failed'],
        ['partially_failed', 'partly failed'], ['untriggered', 'untriggered']])}</label>
      <label>Disabled ${sel('disabled', [['', 'any'], ['false', 'enabled'], ['true', 'disabled']])}</label>
      <label>Tags <input name="tags" value="${q.get('tags') || ''}" placeholder="role=web" data-test="filter-tags"></label>
      <label>Metadata <input name="metadata" value="${q.get('metadata') || ''}" placeholder="team=web,env=prod"
        data-test="filter-metadata"></label>
      <label>Sort ${sel('_sort', SORTS)}</label>
      <label>Order ${sel('_order', [['ASC', 'ascending'], ['DESC', 'descending']])}</label>
      <button type="submit" data-test="filter-apply">Apply</button>
    </form>
    <div class="bulk" role="toolbar" aria-label="With the selected jobs">
      <button type="button" data-bulk="run" data-test="bulk-run">Run</button>
      <button type="button" data-bulk="toggle" data-test="bulk-toggle">Toggle</button>
      <button type="button" data-bulk="delete" class="danger" data-test="bulk-delete">Delete</button>
      <span id="total" class="muted" data-test="total"></span>
    </div>
    <div id="list" class="scroll"></div>
    <nav class="pager" id="pager" aria-label="Pages"></nav>`);

  const form = $('form', main);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const next = new URLSearchParams();
    new FormData(form).forEach((v, k) => { if (v) next.set(k, v); });
    go('jobs' + (next.toString() ? '?' + next : ''));
  });
  $$('select', form).forEach((s) => s.addEventListener('change', () => form.requestSubmit()));

  const checked = new Set();
  const p = poll(async () => {
    const [r, busy] = await Promise.all([request('GET', '/jobs?' + apiQuery(q)), get('/busy?tail=0')]);
    const running = new Set(busy.map((e) => e.job_name));
    const total = Number(r.headers.get('X-Total-Count') || r.data.length);
    const page = Math.max(0, Number(q.get('page') || 0) | 0);
    $('#total', main).textContent = `${total} job${total === 1 ? '' : 's'}`;
    render($('#list', main), html`<table data-test="jobs-table"><thead><tr>
      <th><input type="checkbox" id="all" aria-label="Select all on this page"></th>
      <th>Name</th><th>Schedule</th><th>Status</th><th>Last success</th><th>Last error</th><th>Next</th>
      </tr></thead><tbody>
      ${r.data.map((j) => html`<tr data-job="${j.name}" data-test="job-row">
        <td><input type="checkbox" value="${j.name}" aria-label="Select ${j.name}" ${checked.has(j.name) ? 'checked' : ''}></td>
        <td><a href="jobs/${seg(j.name)}">${j.displayname || j.name}</a>
          ${running.has(j.name) ? html` <span class="pill running" data-test="running">running</span>` : ''}</td>
        <td><code>${j.schedule}</code></td>
        <td><span class="pill ${jobStatus(j)}">${jobStatus(j)}</span></td>
        <td>${ago(j.last_success)}</td><td>${ago(j.last_error)}</td>
        <td>${j.disabled ? '—' : ago(j.next)}</td></tr>`)}
      ${r.data.length ? '' : html`<tr><td colspan="7" class="muted">No job matches.</td></tr>`}
      </tbody></table>`);
    const pages = Math.max(1, Math.ceil(total / PAGE));
    const link = (n, label) => {
      const nq = new URLSearchParams(q);
      nq.set('page', String(n));
      return html`<a href="jobs?${nq}" ${n === page ? 'aria-current="page"' : ''}>${label}</a>`;
    };
    render($('#pager', main), html`${page > 0 ? link(page - 1, '← Previous') : ''}
      <span>Page ${page + 1} of ${pages}</span> ${page + 1 < pages ? link(page + 1, 'Next →') : ''}`);
  }, 3000);

  main.addEventListener('change', onCheck);
  function onCheck(e) {
    const box = e.target;
    if (box.id === 'all') {
      $$('tbody input[type=checkbox]', main).forEach((b) => { b.checked = box.checked; (box.checked ? checked.add(b.value) : checked.delete(b.value)); });
    } else if (box.matches('tbody input[type=checkbox]')) {
      if (box.checked) checked.add(box.value); else checked.delete(box.value);
    }
  }

  $$('[data-bulk]', main).forEach((b) => b.addEventListener('click', async () => {
    const action = b.dataset.bulk;
    const names = [...checked];
    if (!names.length) { flash('Select one or more jobs first.', 'info'); return; }
    if (action === 'delete' && !confirm(`Delete ${names.length} job(s)? Their history goes too.`)) return;
    // One request per job (the API's own, so each job's answer is its own), four at a time: a page of 25 takes
    // a moment without flooding the leader; the failures are told by name.
    const failures = [];
    const queue = [...names];
    async function worker() {
      for (let n = queue.shift(); n !== undefined; n = queue.shift()) {
        try {
          if (action === 'run') await post(`/jobs/${seg(n)}/run`);
          else if (action === 'toggle') await post(`/jobs/${seg(n)}/toggle`);
          else await del(`/jobs/${seg(n)}`);
          if (action === 'delete') checked.delete(n);
        } catch (e) {
          failures.push(`${n}: ${e.message}`);
        }
      }
    }
    b.disabled = true;
    try {
      await Promise.all([worker(), worker(), worker(), worker()]);
    } finally {
      b.disabled = false;
    }
    if (failures.length) flash(`${failures.length} of ${names.length} failed. ${failures.join(' · ')}`);
    else flash(`${action === 'run' ? 'Started' : action === 'toggle' ? 'Toggled' : 'Deleted'} ${names.length} job(s).`, 'info');
    p.now();
  }));

  return () => { p.stop(); main.removeEventListener('change', onCheck); };
}
export { render_ as render };
