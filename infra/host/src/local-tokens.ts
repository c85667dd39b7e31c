import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Role } from '@ordo/http';

const TOKENS_FILE = 'auth-tokens';

export interface LocalTokens {
  /** Where they are kept: readable by the owner alone. */
  file: string;
  /** The `AUTH_TOKENS` value that admits them. */
  authTokens: string;
  /** subject -> token */
  tokens: Record<string, string>;
}

/** `subject:token:role` entries, one a line, as the file keeps them (the AUTH_TOKENS format). */
const parse = (text: string) =>
  text
    .split(/[\n,]/)
    .map((line) => line.trim().split(':'))
    .filter((parts): parts is [string, string, string] => parts.length === 3 && parts.every(Boolean));

/**
 * Tokens for the modes that run on one's own machine (embedded, local): made at random on
 * the first start, kept in `<dataDir>/auth-tokens` and reused later, so a guarded route is
 * never open and the user has a token to call it with. A subject missing from the file is
 * added; an existing one keeps its token.
 */
export const localTokens = (dataDir: string, wanted: readonly { subject: string; role: Role }[]): LocalTokens => {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, TOKENS_FILE);
  const entries = fs.existsSync(file) ? parse(fs.readFileSync(file, 'utf8')) : [];
  const missing = wanted.filter(({ subject }) => !entries.some(([known]) => known === subject));
  if (missing.length > 0) {
    for (const { subject, role } of missing) entries.push([subject, randomBytes(24).toString('base64url'), role]);
    // Written aside and renamed, so a reader never sees half a file.
    const aside = `${file}.${process.pid}`;
    fs.writeFileSync(aside, `${entries.map((entry) => entry.join(':')).join('\n')}\n`, { mode: 0o600 });
    fs.renameSync(aside, file);
  }
  return {
    file,
    authTokens: entries.map((entry) => entry.join(':')).join(','),
    tokens: Object.fromEntries(entries.map(([subject, token]) => [subject, token])),
  };
};
