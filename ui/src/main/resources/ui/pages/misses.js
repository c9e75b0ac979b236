// The instants a job did not run: missed (no leader in time, per misfire) or skipped (concurrency forbid).
import { get, seg } from '../api.js';
import { html, render } from '../html.js';
import { poll } from '../poll.js';
import { time } from '../fmt.js';

export function render_(main, [name]) {
  const p = poll(async () => {
    const misses = await get(`/jobs/${seg(name)}/misses`);
    render(main, html`<p class="crumbs"><a href="jobs/${seg(name)}">${name}</a> / misses</p><h1>Misses</h1>
      <div class="scroll"><table data-test="misses"><thead><tr><th>From</th><th>To</th><th>Count</th><th>Kind</th>
      <th>Blocked by</th><th>Reason</th></tr></thead><tbody>
      ${misses.map((m) => html`<tr><td>${time(m.from)}</td><td>${time(m.to)}</td><td>${m.count}</td>
        <td><span class="pill ${m.kind}">${m.kind}</span></td><td>${m.blocked_by || '—'}</td><td>${m.reason}</td></tr>`)}
      ${misses.length ? '' : html`<tr><td colspan="6" class="muted">Nothing missed or skipped.</td></tr>`}
      </tbody></table></div>`);
  }, 10000);
  return () => p.stop();
}
export { render_ as render };
