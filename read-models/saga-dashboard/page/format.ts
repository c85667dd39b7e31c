// How times and durations read on the page: local time to the second, spans in words.

const pad = (value: number) => String(value).padStart(2, '0');

/** `2026-12-01 14:45:50`, in the browser's time zone. */
export const dateTime = (iso: string | null | undefined): string => {
  if (!iso) return '';
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`;
};

/** `850 ms`, `12.3 s`, `4 min 5 s`, `2 h 3 min`, `3 d 4 h`. */
export const span = (ms: number): string => {
  if (!Number.isFinite(ms)) return '';
  const abs = Math.abs(ms);
  if (abs < 1_000) return `${Math.round(abs)} ms`;
  if (abs < 60_000) return `${(abs / 1_000).toFixed(abs < 10_000 ? 1 : 0)} s`;
  const seconds = Math.floor(abs / 1_000);
  if (seconds < 3_600) return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3_600)} h ${Math.floor((seconds % 3_600) / 60)} min`;
  return `${Math.floor(seconds / 86_400)} d ${Math.floor((seconds % 86_400) / 3_600)} h`;
};

/** How long ago `iso` was, from `now`: `5 s`, `3 min 2 s`. */
export const age = (iso: string | null | undefined, now: number): string => (iso ? span(now - Date.parse(iso)) : '');

/** `in 4 s` or `12 s ago`: a deadline against now. */
export const relative = (iso: string, now: number): string => {
  const ms = Date.parse(iso) - now;
  return ms >= 0 ? `in ${span(ms)}` : `${span(ms)} ago`;
};

/** A `datetime-local` input's value (local time) as ISO 8601 with offset, as the API takes it; undefined when empty. */
export const isoFromLocalInput = (value: string): string | undefined => {
  if (!value) return undefined;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? undefined : at.toISOString();
};

/** An ISO time as a `datetime-local` input's value. */
export const localInputFromIso = (iso: string | undefined): string => {
  if (!iso) return '';
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return '';
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
};

/** A payload as the page shows it: indented JSON, as text (never markup). */
export const pretty = (value: unknown): string => JSON.stringify(value, null, 2) ?? String(value);
