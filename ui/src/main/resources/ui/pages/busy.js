// Every execution running in the cluster now, with the last lines of its output, and Kill.
import { get, post, seg } from '../api.js';
import { html, render, $$ } from '../html.js';
import { poll } from '../poll.js';
import { ago } from '../fmt.js';
import { flash } from '../app.js';

export function render_(main) {
  render(main, html`<h1>Busy</h1><div id="busy"></div>`);
  const box = main.querySelector('#busy');
  const p = poll(async () => {
    const busy = await get('/busy?tail=2000');
    render(box, busy.length ? html`<ul class="busy" data-test="busy">${busy.map((e) => html`
      <li class="card" data-test="busy-item" data-job="${e.job_name}">
        <div class="title"><h2><a href="jobs/${seg(e.job_name)}/executions/${seg(e.id)}">${e.job_name}</a></h2>
          <button type="button" class="danger" data-kill="${e.id}" data-job="${e.job_name}" data-test="busy-kill">Kill</button></div>
        <p class="muted">on ${e.node_name || '?'} · started ${ago(e.started_at)} · attempt ${e.attempt}</p>
        <pre class="output tail">${e.output || ''}</pre></li>`)}</ul>`
      : html`<p class="muted" data-test="busy-empty">Nothing is running.</p>`);
    $$('[data-kill]', box).forEach((b) => b.addEventListener('click', async () => {
      if (!confirm(`Kill ${b.dataset.job}'s execution ${b.dataset.kill}?`)) return;
      try {
        await post(`/jobs/${seg(b.dataset.job)}/executions/${seg(b.dataset.kill)}/kill`, { by: 'dashboard' });
        flash('Kill requested.', 'info');
        p.now();
      } catch (e) {
        flash(e.message);
      }
    }));
  }, 2000);
  return () => p.stop();
}
export { render_ as render };
