// Small inline SVG charts: no chart library for two bar charts and a graph. Colours come from CSS variables,
// so both themes apply.
import { html, raw, escape } from './html.js';

/** Stacked bars per day: successes (bottom) and failures (top). days: [{date, success_count, failed_count}]. */
export function dailyBars(days) {
  const w = 600, h = 160, pad = 20;
  const max = Math.max(1, ...days.map((d) => d.success_count + d.failed_count));
  const bw = (w - pad) / Math.max(1, days.length);
  let bars = '';
  days.forEach((d, i) => {
    const x = pad + i * bw;
    const sh = ((h - pad) * d.success_count) / max;
    const fh = ((h - pad) * d.failed_count) / max;
    const label = `${d.date.slice(0, 10)}: ${d.success_count} succeeded, ${d.failed_count} failed`;
    bars += `<g><title>${escape(label)}</title>`
      + `<rect class="ok" x="${x + 1}" y="${h - pad - sh}" width="${bw - 2}" height="${sh}"/>`
      + `<rect class="bad" x="${x + 1}" y="${h - pad - sh - fh}" width="${bw - 2}" height="${fh}"/></g>`;
  });
  const first = days.length ? days[0].date.slice(5, 10) : '';
  const last = days.length ? days[days.length - 1].date.slice(5, 10) : '';
  return html`<svg class="chart" viewBox="0 0 ${w} ${h}" role="img"
      aria-label="Successes and failures per day" data-test="stats-chart">
    <text x="0" y="12" class="axis">${max}</text>
    ${raw(bars)}
    <text x="${pad}" y="${h - 4}" class="axis">${first}</text>
    <text x="${w}" y="${h - 4}" class="axis" text-anchor="end">${last}</text>
  </svg>`;
}

/** Durations of executions, oldest left: [{label, ms, status}]. The longest is written above the bars. */
export function durationBars(items, fmt) {
  const w = 600, h = 120, top = 18;
  if (!items.length) return html`<p class="muted">No executions yet.</p>`;
  const max = Math.max(1, ...items.map((i) => i.ms));
  const bw = w / Math.max(items.length, 20);
  let bars = '';
  items.forEach((it, i) => {
    const bh = Math.max(1, ((h - top) * it.ms) / max);
    const cls = it.status === 'success' ? 'ok' : it.status === 'running' ? 'run' : 'bad';
    bars += `<rect class="${cls}" x="${i * bw + 1}" y="${h - bh}" width="${Math.max(1, bw - 2)}" height="${bh}">`
      + `<title>${escape(it.label)}: ${escape(fmt(it.ms))} (${escape(it.status)})</title></rect>`;
  });
  return html`<svg class="chart" viewBox="0 0 ${w} ${h}" role="img" aria-label="Execution durations"
      data-test="durations-chart"><text x="0" y="12" class="axis">longest ${fmt(max)}</text>${raw(bars)}</svg>`;
}

/** The parent/child chain: parent, this job, its children, as linked boxes. */
export function chain(parent, name, children, href) {
  const box = (n, cls) => html`<a class="node ${cls}" href="${href(n)}">${n}</a>`;
  return html`<div class="chain" data-test="chain">
    ${parent ? html`<div class="tier">${box(parent, '')}</div><div class="edge" aria-hidden="true">↓</div>` : ''}
    <div class="tier">${box(name, 'self')}</div>
    ${children.length ? html`<div class="edge" aria-hidden="true">↓</div>
      <div class="tier">${children.map((c) => box(c, ''))}</div>` : ''}
  </div>`;
}
