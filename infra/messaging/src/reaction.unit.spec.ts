import { eventIdFor } from '@ordo/eventstore';
import { publishedEventSchema, reactionContext } from './reaction';

describe('reading another context’s event and reacting to it', () => {
  const at = new Date('2025-03-01T10:00:00.000Z');

  it('derives the command id from the event and the reaction, so a redelivered event repeats the same command', () => {
    const context = reactionContext({ eventId: 'e-1', correlationId: 'order-7' }, 'MarkShipped', at);
    expect(context).toEqual({ commandId: eventIdFor('e-1/MarkShipped', 0), correlationId: 'order-7', causationId: 'e-1', now: '2025-03-01T10:00:00.000Z' });
    expect(reactionContext({ eventId: 'e-1', correlationId: 'order-7' }, 'MarkShipped', at).commandId).toBe(context.commandId);
    expect(reactionContext({ eventId: 'e-2', correlationId: 'order-7' }, 'MarkShipped', at).commandId).not.toBe(context.commandId);
    expect(reactionContext({ eventId: 'e-1', correlationId: 'order-7' }, 'CommitStock/SKU-1', at).commandId).not.toBe(context.commandId);
  });

  it('parses a published event, its revision as a bigint, tolerating fields a later publisher adds', () => {
    const published = { id: 'e-1', type: 'ProductAdded', revision: '4', data: { sku: 'A' }, metadata: { correlationId: 'c', extra: 1 }, later: true };
    expect(publishedEventSchema.parse(published)).toMatchObject({ id: 'e-1', type: 'ProductAdded', revision: 4n, data: { sku: 'A' } });
    expect(() => publishedEventSchema.parse({ ...published, revision: '-1' })).toThrow(/revision/);
    expect(() => publishedEventSchema.parse({ ...published, metadata: {} })).toThrow(/correlationId/);
  });
});
