// Formatting of the API's values for people: times in the browser's zone, durations, statuses.

/** Whether the API's instant is set: Dkron's JSON writes an unset one as Go's zero time, 0001-01-01T00:00:00Z. */
export function isSet(iso) {
  return Boolean(iso) && !String(iso).startsWith('0001-01-01');
}

export function time(iso, zone) {
  if (!isSet(iso)) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const opts = { dateStyle: 'medium', timeStyle: 'medium' };
  if (zone) opts.timeZone = zone;
  try {
    return d.toLocaleString(undefined, opts);
  } catch (_) {
    return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
  }
}

export function ago(iso) {
  if (!isSet(iso)) return '—';
  const s = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
  const abs = Math.abs(s);
  const unit = abs < 60 ? [abs, 's'] : abs < 3600 ? [Math.round(abs / 60), 'min'] : abs < 86400
    ? [Math.round(abs / 3600), 'h'] : [Math.round(abs / 86400), 'd'];
  return s >= 0 ? `${unit[0]} ${unit[1]} ago` : `in ${unit[0]} ${unit[1]}`;
}

/** Milliseconds between two instants (to now when the end is missing). */
export function millis(start, end) {
  if (!isSet(start)) return 0;
  const e = isSet(end) ? new Date(end).getTime() : Date.now();
  return Math.max(0, e - new Date(start).getTime());
}

export function duration(ms) {
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** A job's or execution's status as one word. */
export function jobStatus(job) {
  if (job.disabled) return 'disabled';
  return job.status || 'untriggered';
}
