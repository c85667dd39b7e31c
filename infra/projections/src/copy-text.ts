// Rows in PostgreSQL's COPY text format: a row a line, its values apart by tabs, null as
// \N, and a value's backslashes, tabs and line breaks escaped. A list or an object is its
// JSON (a jsonb column), a bigint its digits, a Date its ISO time.
import { bigintAsText } from './row-writes';

const ESCAPED = /[\\\t\n\r]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

const textOf = (value: unknown): string => {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'string') return value.replace(ESCAPED, (character) => ESCAPES[character] as string);
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (value instanceof Date) return value.toISOString();
  return textOf(JSON.stringify(value, bigintAsText));
};

export const copyText = (rows: readonly (readonly unknown[])[]): string => {
  let text = '';
  for (const row of rows) text += `${row.map(textOf).join('\t')}\n`;
  return text;
};
