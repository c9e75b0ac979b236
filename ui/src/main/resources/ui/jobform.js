// What the create and edit pages share: saving a job after the server's dry run, and showing the server's
// field error next to the field it names.
import { request, seg } from './api.js';
import { html, render, $, $$ } from './html.js';

/** Checks with the server (dry run), then writes. Throws ApiError (with .field) on the first failure. */
export async function saveJob(job, existingName) {
  const body = JSON.stringify(job);
  const path = existingName ? `/jobs/${seg(existingName)}` : '/jobs';
  const method = existingName ? 'PUT' : 'POST';
  await request(method, `${path}?dry_run=true`, body);
  return request(method, path, body);
}

/** Shows err next to the input whose data-field is err.field (or its first segment), else in the form's box. */
export function showError(form, err) {
  clearErrors(form);
  const field = err.field || '';
  // In JSON mode (or the editor) the textarea holds every field, so the error goes next to it.
  const json = $('[data-field="json"]', form);
  const input = (json && json.offsetParent !== null ? json : null)
    || $(`[data-field="${CSS.escape(field)}"]`, form)
    || $(`[data-field="${CSS.escape(field.split(/[.[]/)[0])}"]`, form);
  if (input) {
    input.setAttribute('aria-invalid', 'true');
    const note = document.createElement('p');
    note.className = 'field-error';
    note.dataset.test = 'field-error';
    note.textContent = err.message;
    input.insertAdjacentElement('afterend', note);
    input.focus();
    return;
  }
  render($('.form-error', form), html`<p data-test="form-error">${err.message}</p>`);
}

export function clearErrors(form) {
  $$('.field-error', form).forEach((n) => n.remove());
  $$('[aria-invalid]', form).forEach((n) => n.removeAttribute('aria-invalid'));
  render($('.form-error', form), '');
}

/** Parses the JSON textarea; a syntax error is reported as the browser words it, on the textarea. */
export function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch (e) {
    const err = new Error(`The JSON is not valid: ${e.message}`);
    err.field = 'json';
    throw err;
  }
}
