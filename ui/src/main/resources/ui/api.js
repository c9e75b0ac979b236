// The API client: every path is relative to the part of the page's URL before /ui/, so a reverse proxy's
// prefix carries over. API errors become ApiError with a message a person can read.

const root = (() => {
  const p = location.pathname;
  const i = p.indexOf('/ui/');
  return i >= 0 ? p.slice(0, i) : p.replace(/\/ui$/, '');
})();

/** The dashboard's own root URL path, e.g. "/cron/ui/". */
export const uiRoot = root + '/ui/';

export function apiUrl(path) {
  return root + '/v1' + path;
}

export class ApiError extends Error {
  constructor(message, status, field) {
    super(message);
    this.status = status;
    this.field = field || null;
  }
}

const PLAIN = {
  0: 'The agent cannot be reached. Check that it is running and that the network is up.',
  404: 'Not found.',
  405: 'The agent does not accept this request.',
  409: 'This conflicts with the current state.',
  413: 'The request is too large (over 1 MiB).',
  503: 'The cluster cannot take this now (no store leader, or submissions are paused). Try again shortly.',
};

/** Turns an error answer ({"error","field"}, or anything else) into a sentence naming the field if any. */
function toError(status, body) {
  let error = null;
  let field = null;
  try {
    const json = JSON.parse(body);
    if (json && typeof json === 'object') {
      error = json.error || json.message || null;
      field = json.field || null;
    } else if (typeof json === 'string') {
      error = json;
    }
  } catch (_) {
    error = body && body.length < 300 ? body.trim() : null;
  }
  let message = error || PLAIN[status] || `The agent answered ${status}.`;
  if (field && !message.toLowerCase().includes(field.toLowerCase())) message = `${field}: ${message}`;
  if (status >= 500 && error && PLAIN[status]) message = `${PLAIN[status]} (${error})`;
  return new ApiError(message, status, field);
}

/**
 * Sends a request; answers {data, headers, status}. data is the parsed JSON (or text). Throws ApiError.
 */
export async function request(method, path, body, { signal, accept = 'application/json' } = {}) {
  const init = { method, headers: { Accept: accept }, signal };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(apiUrl(path), init);
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(PLAIN[0], 0);
  }
  const text = await res.text();
  if (!res.ok) throw toError(res.status, text);
  let data = text;
  const type = res.headers.get('Content-Type') || '';
  if (type.includes('json') && text) data = JSON.parse(text);
  return { data, headers: res.headers, status: res.status };
}

export const get = (path, opts) => request('GET', path, undefined, opts).then((r) => r.data);
export const getText = (path) => request('GET', path, undefined, { accept: 'text/plain' }).then((r) => r.data);
export const post = (path, body) => request('POST', path, body === undefined ? '' : body);
export const put = (path, body) => request('PUT', path, body);
export const del = (path) => request('DELETE', path);

/** A path segment, encoded. */
export const seg = (s) => encodeURIComponent(s);
