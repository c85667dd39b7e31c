import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { InvalidEventError } from './errors';
import { esdbEventStore } from './esdb/store';
import type { EventSchemaRegistry } from './registry';
import { pgliteDriver, pgPoolDriver } from './postgres/driver';
import { postgresEventStore } from './postgres/store';
import type { EventStore } from './types';

export interface EventStoreOptions {
  /** PostgreSQL: the schema that holds this store (one per context). Default 'ordo'. */
  schema?: string;
  /** The streams this store owns: readAll and subscriptions see only these (EventStoreDB shares one database). */
  streamPrefixes?: string[];
  /** Validates appends and upcasts reads; each context passes its contract's. */
  registry?: EventSchemaRegistry;
  /** PostgreSQL pool size. Default 10. */
  maxConnections?: number;
}

// Several stores (a schema per context) share one PGlite database in embedded mode, and
// a PGlite directory must be opened once per process.
const pglites = new Map<string, { db: Promise<PGlite>; users: number }>();

const openPglite = (location: string) => {
  const key = location === 'memory' ? `memory:${pglites.size}:${Math.random()}` : path.resolve(location);
  const entry = pglites.get(key) ?? { db: PGlite.create(location === 'memory' ? undefined : key), users: 0 };
  entry.users += 1;
  pglites.set(key, entry);
  const release = async (db: PGlite) => {
    entry.users -= 1;
    if (entry.users === 0) {
      pglites.delete(key);
      await db.close();
    }
  };
  return { db: entry.db, release };
};

/**
 * The PGlite database of a folder, shared with every store opened on it in this process
 * (embedded mode keeps the services' own tables beside the stores). Release it when done.
 */
export const openSharedPglite = async (folder: string): Promise<{ db: PGlite; release: () => Promise<void> }> => {
  const { db, release } = openPglite(folder);
  const opened = await db;
  return { db: opened, release: () => release(opened) };
};

/**
 * `postgres://…` (pg), `pglite://<dir>` or `pglite:memory` (the same adapter on PGlite),
 * `esdb://…` or `kurrentdb://…` (EventStoreDB / KurrentDB).
 */
export const createEventStore = async (url: string, options: EventStoreOptions = {}): Promise<EventStore> => {
  if (/^postgres(ql)?:\/\//.test(url)) {
    return postgresEventStore(pgPoolDriver(url, { max: options.maxConnections }), options);
  }
  if (url === 'pglite:memory' || url.startsWith('pglite://')) {
    const { db, release } = openPglite(url === 'pglite:memory' ? 'memory' : url.slice('pglite://'.length));
    const opened = await db;
    const driver = pgliteDriver(opened, { ownsDatabase: false });
    const store = await postgresEventStore({ ...driver, close: () => release(opened) }, options);
    return store;
  }
  if (/^(esdb|kurrentdb)(\+discover)?:\/\//.test(url)) {
    return esdbEventStore(url, options);
  }
  throw new InvalidEventError(`no event store for '${url}': use postgres://, pglite://<dir>, pglite:memory, esdb:// or kurrentdb://`);
};
