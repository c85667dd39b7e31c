import { setTimeout as sleep } from 'node:timers/promises';
import { PGlite } from '@electric-sql/pglite';
import { createEventStore, eventIdFor, type EventStore } from '@ordo/eventstore';
import { pgliteSql } from '@ordo/runtime';
import { eventually } from '@ordo/testing';
import { embeddedHub } from '../bus';

// A consumer of a command topic reads every published store that records commands, and
// none that was published without (a context no saga runs in): on a busy shop each such
// store would otherwise be read again on every append, for nothing.
const issued = (commandId: string) => ({
  id: eventIdFor(commandId, 0),
  type: 'CommandIssued',
  data: { target: 'stock', aggregateId: 'MUG-001', command: { type: 'ReserveStock', commandId, data: { quantity: 1 } } },
  metadata: { correlationId: commandId, causationId: commandId, schemaVersion: 1 },
});

describe('the stores a command consumer of the embedded bus reads', () => {
  it('reads the stores that record commands, and not one published as recording none', async () => {
    const db = new PGlite();
    const saga = await createEventStore('pglite:memory', { schema: 'saga' });
    const plain = await createEventStore('pglite:memory', { schema: 'plain' });
    const bus = embeddedHub().busFor({ sql: pgliteSql(db), schema: 'consumer' });
    const stores: EventStore[] = [saga, plain];
    try {
      await bus.publish('saga', saga);
      await bus.publish('plain', plain, { recordsCommands: false });
      await plain.appendToStream('plain-1', [issued('from-plain')], { expectedRevision: 'no_stream' });
      await saga.appendToStream('saga-1', [issued('from-saga')], { expectedRevision: 'no_stream' });

      const handled: string[] = [];
      await bus.consume({
        groupId: 'stock',
        topics: ['ordo.stock.commands'],
        handle: async (message) => void handled.push((message.value as { commandId: string }).commandId),
      });
      await eventually(async () => handled.includes('from-saga'), "the saga's command");
      await sleep(300); // time for the other store's, were it read
      expect(handled).toEqual(['from-saga']);
    } finally {
      await bus.close();
      for (const store of stores) await store.close();
      await db.close();
    }
  });
});
