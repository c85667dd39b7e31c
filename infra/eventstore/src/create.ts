import path from 'node:path';
import type { PgliteDatabase } from '@ordo/runtime';
import { InvalidEventError } from './errors';
import { openPgliteThread } from './pglite/thread';
import type { EventSchemaRegistry } from './registry';
import { pgliteDriver, pgPoolDriver } from './postgres/driver';
import type { ListenerLogger } from './postgres/listener';
import { postgresEventStore } from './postgres/store';
import type { EventStore } from './types';

export interface EventStoreOptions {
  /** PostgreSQL: the schema that holds this store (one per context). Default 'ordo'. */
  schema?: string;
  /**
   * The streams this store owns, in every adapter: appends, reads and snapshots of other
   * streams are refused (ForeignStreamError), and readAll and subscriptions see only
   * these. EventStoreDB shares one database between contexts, so there it is what keeps
   * them apart; in PostgreSQL each context's schema already does, and this guards it.
   */
  streamPrefixes?: string[];
  /**
   * The largest event accepted, as the JSON of its data and metadata, in bytes; a larger
   * one is refused with EventTooLargeError. Default 1,000,000: under Kafka's default
   * 1 MiB message limit with room for the rest of the message and its headers.
   */
  maxEventBytes?: number;
  /** PostgreSQL: where the LISTEN connection reports being lost and back. Default: JSON lines on stdout. */
  logger?: ListenerLogger;
  /** Validates appends and upcasts reads; each context passes its contract's. */
  registry?: EventSchemaRegistry;
  /** PostgreSQL pool size. Default 10. */
  maxConnections?: number;
}

// Several stores (a schema per context) share one PGlite database in embedded mode, and
// a PGlite directory must be opened once per process.
const pglites = new Map<string, { db: Promise<PgliteDatabase>; users: number }>();

const openPglite = (location: string) => {
  const key = location === 'memory' ? `memory:${pglites.size}:${Math.random()}` : path.resolve(location);
  const entry = pglites.get(key) ?? { db: openPgliteThread(location === 'memory' ? undefined : key), users: 0 };
  entry.users += 1;
  pglites.set(key, entry);
  const release = async (db: PgliteDatabase) => {
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
export const openSharedPglite = async (folder: string): Promise<{ db: PgliteDatabase; release: () => Promise<void> }> => {
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
    return postgresEventStore(pgPoolDriver(url, { max: options.maxConnections, ...(options.logger && { logger: options.logger }) }), options);
  }
  if (url === 'pglite:memory' || url.startsWith('pglite://')) {
    const { db, release } = openPglite(url === 'pglite:memory' ? 'memory' : url.slice('pglite://'.length));
    const opened = await db;
    const driver = pgliteDriver(opened, { ownsDatabase: false });
    const store = await postgresEventStore({ ...driver, close: () => release(opened) }, options);
    return store;
  }
  if (/^(esdb|kurrentdb)(\+discover)?:\/\//.test(url)) {
    // Required here, not imported above: the EventStoreDB client and its gRPC stack hold
    // about 6 MB of live heap, which every process on PostgreSQL or PGlite would carry unused.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { esdbEventStore } = require('./esdb/store') as typeof import('./esdb/store');
    return esdbEventStore(url, options);
  }
  throw new InvalidEventError(`no event store for '${url}': use postgres://, pglite://<dir>, pglite:memory, esdb:// or kurrentdb://`);
};
