// Small inline SVG charts: no chart library for two bar charts and a graph. Colours come from CSS variables,
// so both themes apply.
import { html, raw, escape } from './html.js';

// Bars are drawn in a stretched SVG (preserveAspectRatio none: the chart fills its box at any width, from a wide
// screen to a phone) and the labels are HTML around it, so text is never stretched or shrunk with the bars.
function frame(svgBars, w, h, label, test, top, left, right) {
  return html`<figure class="chart" data-test="${test}">
    <figcaption class="axis">${top}</figcaption>
    <svg viewBox="0 0 ${w} ${h}" preserveAspectRatio="none" role="img" aria-label="${label}">${raw(svgBars)}</svg>
    <div class="axis ends"><span>${left}</span><span>${right}</span></div>
  </figure>`;
}

/** Stacked bars per day: successes (bottom) and failures (top). days: [{date, success_count, failed_count}]. */
export function dailyBars(days) {
  const w = 600, h = 160;
  const max = Math.max(1, ...days.map((d) => d.success_count + d.failed_count));
  const bw = w / Math.max(1, days.length);
  let bars = '';
  days.forEach((d, i) => {
    const x = i * bw;
    const sh = (h * d.success_count) / max;
    const fh = (h * d.failed_count) / max;
    const label = `${d.date.slice(0, 10)}: ${d.success_count} succeeded, ${d.failed_count} failed`;
    bars += `<g><title>${escape(label)}</title>`
      + `<rect class="ok" x="${x + 1}" y="${h - sh}" width="${bw - 2}" height="${sh}"/>`
      + `<rect class="bad" x="${x + 1}" y="${h - sh - fh}" width="${bw - 2}" height="${fh}"/></g>`;
  });
  const first = days.length ? days[0].date.slice(5, 10) : '';
  const last = days.length ? days[days.length - 1].date.slice(5, 10) : '';
  return frame(bars, w, h, 'Successes and failures per day', 'stats-chart', `most in a day: ${max}`, first, last);
}

/** Durations of executions, oldest left: [{label, ms, status}]. The longest is written above the bars. */
export function durationBars(items, fmt) {
  const w = 600, h = 120;
  if (!items.length) return html`<p class="muted">No executions yet.</p>`;
  const max = Math.max(1, ...items.map((i) => i.ms));
  const bw = w / Math.max(items.length, 20);
  let bars = '';
  items.forEach((it, i) => {
    const bh = Math.max(1, (h * it.ms) / max);
    const cls = it.status === 'success' ? 'ok' : it.status === 'running' ? 'run' : 'bad';
    bars += `<rect class="${cls}" x="${i * bw + 1}" y="${h - bh}" width="${Math.max(1, bw - 2)}" height="${bh}">`
      + `<title>${escape(it.label)}: ${escape(fmt(it.ms))} (${escape(it.status)})</title></rect>`;
  });
  return frame(bars, w, h, 'Execution durations', 'durations-chart', `longest: ${fmt(max)}`, 'older', 'newer');
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
