import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createEventStore, openSharedPglite, type EventStore } from '@ordo/eventstore';
import { pgliteSql } from '@ordo/runtime';
import { embeddedHub, type Bus } from '../bus';
import { busContract, type BusFixture } from './bus-contract';

// The consumer contract on the embedded bus, as embedded mode runs it: one PGlite
// database holds the context's store and, in a schema of its own, the consumer's
// checkpoints, inbox and dead letters.
describe('the consumer contract on the embedded bus', () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'ordo-embedded-bus-'));
  const context = 'counting';
  let store: EventStore;
  let release: () => Promise<void>;
  let bus: Bus;
  let fixture: BusFixture;

  beforeAll(async () => {
    store = await createEventStore(`pglite://${folder}`, { schema: context });
    const shared = await openSharedPglite(folder);
    release = shared.release;
    const database = { sql: pgliteSql(shared.db), schema: 'consumer' };
    bus = embeddedHub().busFor(database);
    await bus.publish(context, store);
    fixture = {
      store,
      topic: `ordo.${context}.events`,
      database,
      prefix: 'embedded',
      consume: (options) => bus.consume({ ...options, topics: [`ordo.${context}.events`] }),
      // The consumer's checkpoint on the store is its position: without it, it starts from the first event.
      rewind: async (groupId) => void (await database.sql.query(`delete from consumer.ordo_checkpoints where name = $1`, [`${groupId}@${context}`])),
    };
  });

  afterAll(async () => {
    await bus.close();
    await store.close();
    await release();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  busContract(() => fixture);
});
