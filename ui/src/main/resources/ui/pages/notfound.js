import { html, render } from '../html.js';

export function render_(main) {
  render(main, html`<h1>Not found</h1><p>No page here. <a href="./">Back to the overview</a>.</p>`);
}
export { render_ as render };
