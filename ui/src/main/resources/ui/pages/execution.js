// One execution: its whole output and artifacts. While it runs the output streams live (SSE, resumed by the
// browser with Last-Event-ID after a drop) and Kill is offered.
import { get, getText, post, seg, apiUrl } from '../api.js';
import { html, render, $ } from '../html.js';
import { time, millis, duration } from '../fmt.js';
import { flash } from '../app.js';

export function render_(main, [name, id]) {
  const base = `/jobs/${seg(name)}/executions/${seg(id)}`;
  render(main, html`<p class="crumbs"><a href="jobs/${seg(name)}">${name}</a> / execution</p>
    <div class="title"><h1>${id}</h1><div class="actions" id="actions"></div></div>
    <div id="summary"></div>
    <section><h2>Output <span id="live" class="muted"></span></h2>
      <pre class="output" id="output" data-test="output" aria-live="polite"></pre></section>
    <section><h2>Artifacts</h2><div id="artifacts"></div></section>`);
  const out = $('#output', main);
  let source = null;
  let closed = false;

  function summary(e) {
    render($('#summary', main), html`<dl class="definition">
      <dt>Status</dt><dd><span class="pill ${e.status}" data-test="execution-status">${e.status}</span>
        ${e.killed_by ? html` by ${e.killed_by}` : ''}</dd>
      <dt>Node</dt><dd>${e.node_name || '—'}</dd><dt>Group / attempt</dt><dd>${e.group} / ${e.attempt}</dd>
      <dt>Started</dt><dd>${time(e.started_at)}</dd>
      <dt>Duration</dt><dd>${duration(millis(e.started_at, e.finished_at))}</dd>
      ${e.exit_code !== undefined && e.status !== 'running' ? html`<dt>Exit code</dt><dd>${e.exit_code}</dd>` : ''}
    </dl>`);
    const running = e.status === 'running';
    // Kill goes away when the run ends: focus on it moves to the status, which says how it ended.
    const hadKill = document.activeElement && document.activeElement.id === 'kill';
    render($('#actions', main), running
      ? html`<button type="button" class="danger" id="kill" data-test="kill">Kill</button>` : '');
    if (running) $('#kill', main).addEventListener('click', kill);
    else if (hadKill) {
      const status = $('[data-test=execution-status]', main);
      status.tabIndex = -1;
      status.focus();
    }
    return running;
  }

  async function kill() {
    if (!confirm('Kill this execution? Its process group gets TERM, then KILL.')) return;
    try {
      await post(`${base}/kill`, { by: 'dashboard' });
      flash('Kill requested.', 'info');
    } catch (e) {
      flash(e.message);
    }
  }

  async function artifacts() {
    try {
      const list = await get(`${base}/artifacts`);
      render($('#artifacts', main), list.length ? html`<ul data-test="artifacts">${list.map((a) => html`<li>
        <a href="${apiUrl(`${base}/artifacts/${a.path.split('/').map(seg).join('/')}`)}" download>${a.path}</a>
        <span class="muted">${a.size} bytes</span></li>`)}</ul>` : html`<p class="muted">None.</p>`);
    } catch (e) {
      render($('#artifacts', main), html`<p class="muted">${e.message}</p>`);
    }
  }

  function follow() {
    $('#live', main).textContent = '(live)';
    source = new EventSource(apiUrl(`${base}/output?follow=true`));
    source.addEventListener('output', (ev) => { out.append(ev.data); });
    source.addEventListener('reset', () => { out.textContent = ''; });
    source.addEventListener('truncated', (ev) => {
      out.append(`[… ${JSON.parse(ev.data).skipped} bytes not kept …]\n`);
    });
    source.addEventListener('end', async () => {
      // The server closes after `end`; without close() the browser would reconnect and replay.
      source.close();
      $('#live', main).textContent = '';
      // The stream ends when the process does; the store records the result a moment later, so ask again
      // (with a growing wait) until it has.
      for (let wait = 200; !closed && wait < 20000; wait *= 2) {
        try {
          if (!summary(await get(base))) break;
        } catch (e) {
          flash(e.message);
          break;
        }
        await new Promise((r) => setTimeout(r, wait));
      }
      if (!closed) artifacts();
    });
  }

  (async () => {
    try {
      const e = await get(base);
      if (closed) return;
      if (summary(e)) {
        follow();
      } else {
        out.textContent = await getText(`${base}/output`);
      }
      artifacts();
    } catch (e) {
      flash(e.message);
    }
  })();

  return () => { closed = true; if (source) source.close(); };
}
export { render_ as render };
