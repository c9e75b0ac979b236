// One job: its definition, next fire times, counters, actions, executions (output collapsed), a chart of
// their durations, and its parent/child chain. Refreshed by polling.
import { get, post, del, seg } from '../api.js';
import { html, render, $ } from '../html.js';
import { poll } from '../poll.js';
import { time, ago, millis, duration, jobStatus } from '../fmt.js';
import { durationBars, chain } from '../charts.js';
import { flash, go } from '../app.js';

const SHOWN = 50;

export function definition(j) {
  const empty = (v) => v === null || v === undefined || v === '' || (Array.isArray(v) && !v.length);
  const row = (k, v) => (empty(v) ? '' : html`<dt>${k}</dt><dd>${v}</dd>`);
  const cfg = j.executor_config || {};
  return html`<dl class="definition" data-test="definition">
    ${row('Schedule', html`<code>${j.schedule}</code>`)}
    ${row('Time zone', j.timezone || 'the cluster\'s')}
    ${row('Executor', j.executor)}
    ${row('Command', cfg.command ? html`<code>${cfg.command}</code>` : '')}
    ${row('Tags', Object.entries(j.tags || {}).map(([k, v]) => html`<span class="tag">${k}=${v}</span> `))}
    ${row('Metadata', Object.entries(j.metadata || {}).map(([k, v]) => html`<span class="tag">${k}=${v}</span> `))}
    ${row('Retries', j.retries)}
    ${row('Concurrency', j.concurrency)}
    ${row('Owner', [j.owner, j.owner_email].filter(Boolean).join(' '))}
    ${row('Parent', j.parent_job)}
    ${row('Processors', j.processors ? Object.keys(j.processors).join(', ') : '')}
  </dl>
  <details><summary>Whole definition (JSON)</summary><pre>${JSON.stringify(j, null, 2)}</pre></details>`;
}

export function render_(main, [name]) {
  const base = `/jobs/${seg(name)}`;
  render(main, html`<div class="title"><h1 data-test="job-name">${name}</h1>
      <div class="actions">
        <button type="button" data-act="run" class="primary" data-test="run">Run now</button>
        <button type="button" data-act="toggle" data-test="toggle">Toggle</button>
        <a class="button" href="jobs/${seg(name)}/edit" data-test="edit">Edit</a>
        <a class="button" href="jobs/${seg(name)}/misses">Misses</a>
        <button type="button" data-act="delete" class="danger" data-test="delete">Delete</button>
      </div></div>
    <div class="grid">
      <section><h2>Status</h2><div id="status"></div></section>
      <section><h2>Next runs</h2><div id="next" data-test="next"></div></section>
      <section><h2>Chain</h2><div id="chain"></div></section>
    </div>
    <section><h2>Definition</h2><div id="def"></div></section>
    <section><h2>Durations</h2><div id="durations"></div></section>
    <section><h2>Executions</h2><div id="executions" class="scroll"></div></section>`);

  const open = new Set();
  let nextDone = false;

  async function loadNext() {
    try {
      const n = await get(`${base}/next?count=5`);
      render($('#next', main), n.next && n.next.length ? html`<ol>${n.next.map((t) => html`<li>${time(t, n.timezone)}</li>`)}</ol>
        <p class="muted">in ${n.timezone}</p>` : html`<p class="muted">No scheduled runs.</p>`);
    } catch (_) {
      // An agent without /next (or a job whose schedule has none) simply shows none.
      render($('#next', main), html`<p class="muted">Not available.</p>`);
    }
  }

  const p = poll(async () => {
    const [j, execs] = await Promise.all([get(base), get(`${base}/executions?_start=0&_end=${SHOWN}&output_size_limit=4000`)]);
    const status = jobStatus(j);
    render($('#status', main), html`<p><span class="pill ${status}" data-test="job-status">${status}</span></p>
      <dl class="definition">
        <dt>Successes</dt><dd data-test="success-count">${j.success_count}</dd>
        <dt>Errors</dt><dd>${j.error_count}</dd>
        <dt>Missed / skipped</dt><dd>${j.missed_count || 0} / ${j.skipped_count || 0}</dd>
        <dt>Last success</dt><dd title="${time(j.last_success)}">${ago(j.last_success)}</dd>
        <dt>Last error</dt><dd title="${time(j.last_error)}">${ago(j.last_error)}</dd>
      </dl>`);
    render($('#def', main), definition(j));
    render($('#chain', main), chain(j.parent_job, j.name, j.dependent_jobs || [], (n) => `jobs/${seg(n)}`));
    render($('#durations', main), durationBars(execs.slice().reverse().map((e) => ({
      label: `${e.group}/${e.attempt} ${e.node_name}`, ms: millis(e.started_at, e.finished_at), status: e.status,
    })), duration));
    render($('#executions', main), html`<table data-test="executions"><thead><tr><th>Group</th><th>Attempt</th>
      <th>Node</th><th>Started</th><th>Duration</th><th>Status</th><th>Output</th></tr></thead><tbody>
      ${execs.map((e) => html`<tr data-test="execution-row" data-status="${e.status}">
        <td><a href="jobs/${seg(name)}/executions/${seg(e.id)}" data-test="execution-link">${e.group}</a></td>
        <td>${e.attempt}</td><td>${e.node_name || '—'}</td><td title="${time(e.started_at)}">${ago(e.started_at)}</td>
        <td>${duration(millis(e.started_at, e.finished_at))}</td>
        <td><span class="pill ${e.status}">${e.status}</span></td>
        <td><details data-id="${e.id}" ${open.has(e.id) ? 'open' : ''}><summary>${(e.output || '').split('\n')[0].slice(0, 60) || 'output'}</summary>
          <pre data-test="execution-output">${e.output_truncated ? '…' : ''}${e.output}</pre>
          <a href="jobs/${seg(name)}/executions/${seg(e.id)}">Full output</a></details></td></tr>`)}
      ${execs.length ? '' : html`<tr><td colspan="7" class="muted">No executions yet.</td></tr>`}
      </tbody></table>`);
    if (!nextDone) { nextDone = true; loadNext(); }
  }, 2000);

  // Keeps an opened output open across refreshes.
  function onToggle(e) {
    const d = e.target;
    if (d.tagName === 'DETAILS' && d.dataset.id) (d.open ? open.add(d.dataset.id) : open.delete(d.dataset.id));
  }
  main.addEventListener('toggle', onToggle, true);

  main.querySelectorAll('[data-act]').forEach((b) => b.addEventListener('click', async () => {
    try {
      if (b.dataset.act === 'run') {
        await post(`${base}/run`);
        flash('Run started.', 'info');
      } else if (b.dataset.act === 'toggle') {
        const r = await post(`${base}/toggle`);
        flash(r.data && r.data.disabled ? 'Job disabled.' : 'Job enabled.', 'info');
        loadNext();
      } else {
        if (!confirm(`Delete job ${name} and its history?`)) return;
        await del(base);
        go('jobs');
        flash(`Job ${name} deleted.`, 'info');
        return;
      }
      p.now();
    } catch (e) {
      flash(e.message);
    }
  }));

  return () => { p.stop(); main.removeEventListener('toggle', onToggle, true); };
}
export { render_ as render };
