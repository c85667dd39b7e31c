// Which processes local mode runs (`--replicas` adds some), kept in the data folder by the
// supervisor at each start, so `ordo status` asks every replica and not only the first
// of each service (docs/cli.md).
import fs from 'node:fs';
import path from 'node:path';
import type { ServiceProcess } from './replicas';

/** A process as `ordo status` lists it. */
export interface ListedProcess {
  name: string;
  url: string;
}

const FILE = 'local-processes.json';

/** Written whole under another name, then renamed: a reader never sees half of it. */
export const saveLocalProcesses = (dataDir: string, processes: readonly ServiceProcess[]): void => {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, FILE);
  const partial = `${file}.${process.pid}.partial`;
  const listed: ListedProcess[] = processes.map(({ name, url }) => ({ name, url }));
  fs.writeFileSync(partial, `${JSON.stringify(listed, null, 2)}\n`);
  fs.renameSync(partial, file);
};

const isListed = (entry: unknown): entry is ListedProcess =>
  typeof entry === 'object' && entry !== null && typeof (entry as ListedProcess).name === 'string' && typeof (entry as ListedProcess).url === 'string';

/** What the last start wrote, or undefined when there is none or it cannot be read. */
export const loadLocalProcesses = (dataDir: string): ListedProcess[] | undefined => {
  try {
    const listed: unknown = JSON.parse(fs.readFileSync(path.join(dataDir, FILE), 'utf8'));
    return Array.isArray(listed) && listed.every(isListed) ? listed : undefined;
  } catch {
    return undefined;
  }
};
