import { createEventStore, eventIdFor } from '@ordo/eventstore';
import { pgliteSql } from '@ordo/runtime';
import { PGlite } from '@electric-sql/pglite';
import { eventually } from '@ordo/testing';
import { embeddedHub } from '../bus';
import { HEADER, messageIdOf } from '../headers';

// As on Kafka (relay/command-copy.int.spec.ts): a saga's CommandIssued reaches its own
// event topic and the target's command topic, each with an id of its own, so a consumer
// of both topics deduplicating through its inbox handles both.
describe('the two messages of a CommandIssued event on the embedded bus', () => {
  it('carry ids of their own and their kind, so an inbox consumer of both topics handles both', async () => {
    const db = new PGlite();
    const store = await createEventStore('pglite:memory', { schema: 'saga' });
    const hub = embeddedHub();
    const bus = hub.busFor({ sql: pgliteSql(db), schema: 'consumer' });
    try {
      await bus.publish('saga', store);
      const issued = {
        id: eventIdFor('saga-1-reserve', 0),
        type: 'CommandIssued',
        data: { target: 'stock', aggregateId: 'MUG-001', command: { type: 'ReserveStock', commandId: 'saga-1-reserve', data: { quantity: 2 } } },
        metadata: { correlationId: 'order-1', causationId: 'order-1', schemaVersion: 1 },
      };
      await store.appendToStream('saga-1', [issued], { expectedRevision: 'no_stream' });

      const handled: { topic: string; id: string; kind: string | undefined }[] = [];
      await bus.consume({
        groupId: 'both',
        topics: ['ordo.saga.events', 'ordo.stock.commands'],
        inbox: true,
        handle: async (message) => void handled.push({ topic: message.topic, id: message.messageId, kind: message.headers[HEADER.messageKind] }),
      });

      await eventually(async () => (handled.length >= 2 ? true : undefined), 'both messages handled', { timeoutMs: 10_000, intervalMs: 20 });
      expect(handled).toEqual([
        { topic: 'ordo.saga.events', id: issued.id, kind: 'event' },
        { topic: 'ordo.stock.commands', id: messageIdOf(issued, 'command'), kind: 'command' },
      ]);
    } finally {
      await bus.close();
      await store.close();
      await db.close();
    }
  });
});
