// Overview: the leader, members by status, jobs by status, 30 days of outcomes, and the members table.
import { get } from '../api.js';
import { html, render, $ } from '../html.js';
import { poll } from '../poll.js';
import { dailyBars } from '../charts.js';

// Each count as /v1/stats answers it, and the job list's query that shows those jobs.
const STATUSES = [
  ['success', 'status=success&disabled=false', 'Successful'],
  ['failed', 'status=failed&disabled=false', 'Failed'],
  ['partially_failed', 'status=partially_failed&disabled=false', 'Partly failed'],
  ['untriggered', 'status=untriggered&disabled=false', 'Untriggered'],
  ['disabled', 'disabled=true', 'Disabled'],
];

export function render_(main) {
  render(main, html`<h1>Overview</h1>
    <section class="cards" data-test="overview-cards"></section>
    <section><h2>Last 30 days</h2><div id="stats"></div></section>
    <section><h2>Members</h2><div id="members" class="scroll"></div></section>`);

  const p = poll(async () => {
    // Four requests a poll, whatever the number of jobs: the counts come with the daily stats.
    const [leader, members, busy, stats] = await Promise.all([
      get('/leader').catch(() => null),
      get('/members'),
      get('/busy?tail=0&stale'),
      get('/stats?days=30&stale'),
    ]);
    const counts = stats.jobs || {};
    const byStatus = {};
    members.forEach((m) => { byStatus[m.statusText] = (byStatus[m.statusText] || 0) + 1; });
    render($('.cards', main), html`
      <div class="card"><h2>Leader</h2><p class="big" data-test="leader">${leader ? leader.Name : 'none'}</p></div>
      <div class="card"><h2>Members</h2><p class="big">${members.length}</p>
        <p>${Object.entries(byStatus).map(([s, n]) => html`<span class="pill ${s}">${n} ${s}</span> `)}</p></div>
      <div class="card"><h2>Jobs</h2><p class="big" data-test="count-total">${counts.total ?? 0}</p>
        <p><a class="pill running" href="busy">${busy.length} running</a>
        ${STATUSES.map(([s, q, label]) => html`
          <a class="pill ${s}" href="jobs?${q}" data-test="count-${s}">${counts[s] ?? 0} ${label.toLowerCase()}</a> `)}</p></div>`);
    render($('#stats', main), dailyBars(stats.stats || []));
    render($('#members', main), html`<table data-test="members"><thead><tr><th>Name</th><th>Address</th>
      <th>Tags</th><th>Role</th><th>Raft</th><th>Status</th></tr></thead><tbody>
      ${members.map((m) => html`<tr><td>${m.Name}</td><td>${m.Addr}:${m.Port}</td>
        <td>${Object.entries(m.Tags || {}).map(([k, v]) => html`<span class="tag">${k}=${v}</span> `)}</td>
        <td>${m.role}</td><td>${m.raft_role}</td><td><span class="pill ${m.statusText}">${m.statusText}</span></td></tr>`)}
      </tbody></table>`);
  }, 5000);
  return () => p.stop();
}
export { render_ as render };
