// Edit a job as JSON: the server checks it first (dry run) and its field error is shown; nothing is written
// until the check passes.
import { get, seg } from '../api.js';
import { html, render, $ } from '../html.js';
import { saveJob, showError, clearErrors, parseJson } from '../jobform.js';
import { flash, go } from '../app.js';

// Counters and computed fields are the server's; leaving them out keeps the editor about the definition.
const COMPUTED = ['id', 'success_count', 'error_count', 'last_success', 'last_error', 'status', 'next',
  'dependent_jobs', 'missed_count', 'skipped_count'];

export function render_(main, [name]) {
  render(main, html`<p class="crumbs"><a href="jobs/${seg(name)}">${name}</a> / edit</p><h1>Edit ${name}</h1>
    <form class="editor" novalidate data-test="edit-form">
      <label for="json">Definition (JSON)</label>
      <textarea id="json" data-field="json" data-test="json" rows="24" spellcheck="false"></textarea>
      <div class="form-error" role="alert"></div>
      <div class="actions"><button type="submit" class="primary" data-test="save">Save</button>
        <a class="button" href="jobs/${seg(name)}">Cancel</a></div>
    </form>`);
  const form = $('form', main);
  const area = $('#json', main);
  get(`/jobs/${seg(name)}`).then((j) => {
    COMPUTED.forEach((k) => delete j[k]);
    area.value = JSON.stringify(j, null, 2);
  }).catch((e) => flash(e.message));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    try {
      await saveJob(parseJson(area.value), name);
      go(`jobs/${seg(name)}`);
      flash(`Job ${name} saved.`, 'info');
    } catch (err) {
      showError(form, err);
    }
  });
}
export { render_ as render };
