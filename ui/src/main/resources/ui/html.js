// A tiny rendering helper: html`...` escapes every interpolated value unless it is itself html (a nested
// template, or raw()), so nothing the API returns can inject markup.

class Html {
  constructor(s) { this.s = s; }
  toString() { return this.s; }
}

const ESC = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escape = (v) => String(v).replace(/[&<>"']/g, (c) => ESC[c]);

function part(v) {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof Html) return v.s;
  if (Array.isArray(v)) return v.map(part).join('');
  return escape(v);
}

export function html(strings, ...values) {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += part(values[i]) + strings[i + 1];
  return new Html(out);
}

/** Markup the page itself built (never API text). */
export const raw = (s) => new Html(s);

// What names a focusable element across a re-render: its tag and identifying attributes, and those of the row
// it is in (a checkbox's value alone would do, a <summary> has none of its own).
const NAMING = ['id', 'name', 'type', 'value', 'href', 'data-id', 'data-job', 'data-act', 'data-bulk', 'data-test'];
function focusKey(e, root) {
  const attrs = (x) => NAMING.map((a) => x.getAttribute(a) || '').join('|');
  const row = e.parentElement && e.parentElement.closest('[data-id],[data-job]');
  return `${e.tagName}|${attrs(e)}|${row && root.contains(row) ? attrs(row) : ''}`;
}
const sameAs = (root, tag, key) => $$(tag, root).filter((x) => focusKey(x, root) === key);

/**
 * Replaces el's content. Polling pages re-render every few seconds: the element that had focus in el gets it back
 * in the new content (the same one by its attributes and row, else none), so a keyboard user is not thrown out.
 */
export function render(el, h) {
  const active = document.activeElement;
  let key = null;
  let nth = -1;
  if (active && active !== el && el.contains(active)) {
    key = focusKey(active, el);
    nth = sameAs(el, active.tagName, key).indexOf(active);
  }
  el.innerHTML = part(h);
  if (key !== null) {
    const again = sameAs(el, active.tagName, key)[nth];
    if (again) again.focus({ preventScroll: true });
  }
}

export const $ = (sel, el = document) => el.querySelector(sel);
export const $$ = (sel, el = document) => Array.from(el.querySelectorAll(sel));
