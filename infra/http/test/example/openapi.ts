import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// The validator is an ES module, which jest's CommonJS sandbox cannot load; its own CLI
// runs it in a plain node process instead.
const CLI = path.join(path.dirname(require.resolve('@seriousme/openapi-schema-validator/package.json')), 'bin', 'validate-api-cli.js');

/** Validates a document against the official OpenAPI schemas: `{ valid, errors? }`. */
export const validateOpenApi = async (document: unknown): Promise<{ valid: boolean; errors?: unknown[] }> => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ordo-openapi-')), 'openapi.json');
  fs.writeFileSync(file, JSON.stringify(document));
  try {
    const stdout = await new Promise<string>((resolve) => execFile(process.execPath, [CLI, file], (_error, out) => resolve(out)));
    return JSON.parse(stdout) as { valid: boolean; errors?: unknown[] };
  } finally {
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
};
