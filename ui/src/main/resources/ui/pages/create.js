// Create a job: a form for the common fields, with a live preview of the schedule from the server, and a JSON
// mode (prefilled from the form) for every other field. The server's dry run checks before anything is written.
import { post, seg } from '../api.js';
import { html, render, $, $$ } from '../html.js';
import { time } from '../fmt.js';
import { saveJob, showError, clearErrors, parseJson } from '../jobform.js';
import { flash, go } from '../app.js';

function pairs(text) {
  const out = {};
  for (const p of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const i = p.indexOf('=');
    if (i <= 0) {
      const err = new Error(`"${p}" is not key=value`);
      err.field = 'tags';
      throw err;
    }
    out[p.slice(0, i).trim()] = p.slice(i + 1).trim();
  }
  return out;
}

export function render_(main) {
  render(main, html`<h1>New job</h1>
    <form class="jobform" novalidate data-test="create-form">
      <div class="tabs" role="group" aria-label="Mode">
        <button type="button" data-mode="form" aria-pressed="true">Form</button>
        <button type="button" data-mode="json" aria-pressed="false" data-test="json-mode">JSON</button>
      </div>
      <div id="form-mode">
        <label>Name <input name="name" data-field="name" required autocomplete="off" data-test="name"
          placeholder="backup-db"></label>
        <label>Schedule <input name="schedule" data-field="schedule" value="@every 1m" data-test="schedule"></label>
        <p class="muted" id="preview" data-test="schedule-preview" aria-live="polite"></p>
        <label>Time zone <input name="timezone" data-field="timezone" placeholder="the cluster's, e.g. Europe/Paris"></label>
        <label>Tags <input name="tags" data-field="tags" placeholder="role=web" data-test="tags"></label>
        <label>Executor <select name="executor" data-field="executor" data-test="executor">
          <option value="shell">shell</option><option value="http">http</option></select></label>
        <label>Command (or URL) <input name="command" data-field="executor_config" data-test="command"
          placeholder="echo hello"></label>
        <label>Retries <input name="retries" type="number" min="0" value="0" data-field="retries"></label>
        <label>Concurrency <select name="concurrency" data-field="concurrency">
          <option value="allow">allow</option><option value="forbid">forbid</option></select></label>
      </div>
      <div id="json-mode" hidden>
        <label for="json">Definition (JSON)</label>
        <textarea id="json" data-field="json" rows="20" spellcheck="false" data-test="json"></textarea>
      </div>
      <div class="form-error" role="alert"></div>
      <label class="inline"><input type="checkbox" name="runnow"> Run it once now</label>
      <div class="actions"><button type="submit" class="primary" data-test="create">Create</button></div>
    </form>`);
  const form = $('form', main);
  let mode = 'form';

  function fromForm() {
    const f = new FormData(form);
    const executor = f.get('executor');
    const job = {
      name: f.get('name').trim(),
      schedule: f.get('schedule').trim(),
      executor,
      executor_config: executor === 'http' ? { method: 'GET', url: f.get('command') } : { command: f.get('command') },
      retries: Number(f.get('retries') || 0),
      concurrency: f.get('concurrency'),
    };
    if (f.get('timezone').trim()) job.timezone = f.get('timezone').trim();
    const tags = pairs(f.get('tags'));
    if (Object.keys(tags).length) job.tags = tags;
    return job;
  }

  $$('[data-mode]', form).forEach((b) => b.addEventListener('click', () => {
    clearErrors(form);
    if (b.dataset.mode === mode) return;
    try {
      if (b.dataset.mode === 'json') $('#json', form).value = JSON.stringify(fromForm(), null, 2);
    } catch (err) {
      showError(form, err);
      return;
    }
    mode = b.dataset.mode;
    $('#form-mode', form).hidden = mode !== 'form';
    $('#json-mode', form).hidden = mode !== 'json';
    $$('[data-mode]', form).forEach((x) => x.setAttribute('aria-pressed', String(x.dataset.mode === mode)));
  }));

  // The preview asks the server, so it reads schedules exactly as the scheduler will.
  let timer = null;
  let asked = 0;
  async function preview() {
    const n = ++asked;
    const schedule = form.schedule.value.trim();
    const box = $('#preview', form);
    if (!schedule) { box.textContent = ''; return; }
    const body = { schedule };
    if (form.timezone.value.trim()) body.timezone = form.timezone.value.trim();
    try {
      const r = (await post('/schedule/preview', body)).data;
      if (n !== asked) return;
      render(box, html`${r.description}${r.next && r.next.length ? html` · next: ${time(r.next[0], r.timezone)}` : ''}`);
      box.classList.remove('bad-text');
    } catch (e) {
      if (n !== asked) return;
      box.textContent = e.status === 404 ? '' : e.message;
      box.classList.toggle('bad-text', e.status !== 404);
    }
  }
  const later = () => { clearTimeout(timer); timer = setTimeout(preview, 300); };
  form.schedule.addEventListener('input', later);
  form.timezone.addEventListener('input', later);
  preview();

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    try {
      const job = mode === 'json' ? parseJson($('#json', form).value) : fromForm();
      await saveJob(job);
      if (form.runnow.checked) await post(`/jobs/${seg(job.name)}/run`);
      go(`jobs/${seg(job.name)}`);
      flash(`Job ${job.name} created.`, 'info');
    } catch (err) {
      showError(form, err);
    }
  });
  return () => clearTimeout(timer);
}
export { render_ as render };
