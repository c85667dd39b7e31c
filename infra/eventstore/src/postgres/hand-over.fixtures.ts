import type { AllFilter, PositionedEvent } from '../types';
import type { PgDriver } from './driver';
import type { PostgresEventStore } from './store';

// What the hand-over tests (hand-over.int.spec.ts on PGlite, hand-over-server.int.spec.ts
// on a server) share: a driver that counts the subscription reads, a live subscription
// that collects what it is handed, what a read of everything returns, and what a
// subscriber can observe of an event.

/** The driver, counting the subscription reads it ran (readBatch's statement). */
export const countingReads = (driver: PgDriver) => {
  let reads = 0;
  const counted: PgDriver = {
    ...driver,
    query: (text, params, options) => {
      if (text.includes('pg_snapshot_xmin(pg_current_snapshot())') && text.includes('order by transaction_id, position')) reads += 1;
      return driver.query(text, params, options);
    },
  };
  return { driver: counted, reads: () => reads };
};

/** A live subscription collecting what it is handed. */
export const collect = async (store: PostgresEventStore, filter?: AllFilter) => {
  const seen: PositionedEvent[] = [];
  let goLive = () => undefined as void;
  const live = new Promise<void>((resolve) => (goLive = resolve));
  const subscription = store.subscribeToAll({ ...(filter && { filter }), handler: (e) => void seen.push(e), onLive: goLive });
  await live;
  return { seen, subscription };
};

export const readAll = async (store: PostgresEventStore, filter?: AllFilter) => {
  const all: PositionedEvent[] = [];
  for await (const e of store.readAll(filter && { filter })) all.push(e);
  return all;
};

/** What a subscriber can observe of an event, key order of its data included. */
export const observed = (e: PositionedEvent) => ({ ...e, data: JSON.stringify(e.data), metadata: JSON.stringify(e.metadata) });
