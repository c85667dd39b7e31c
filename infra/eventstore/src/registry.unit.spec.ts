import { z } from 'zod';
import { InvalidEventError } from './errors';
import { upcast, validateAgainstRegistry, type EventSchemaRegistry } from './registry';
import type { RecordedEvent } from './types';

const registry: EventSchemaRegistry = {
  StockAdded: {
    version: 3,
    schema: z.object({ sku: z.string(), quantity: z.number().int().positive(), warehouse: z.string() }),
    upcasters: {
      1: (data) => ({ ...(data as object), quantity: (data as { qty: number }).qty }),
      2: (data) => ({ ...(data as object), warehouse: 'main' }),
    },
  },
};

const stored = (data: unknown, schemaVersion: number, type = 'StockAdded'): RecordedEvent => ({
  id: '6f1c2b1e-8a7b-4c41-9f55-3f0d1c2a9e10',
  type,
  stream: 'stock-A',
  revision: 0n,
  position: 1n,
  data,
  metadata: { correlationId: 'c', causationId: 'c', schemaVersion },
  recordedAt: new Date(0),
});

describe('the event schema registry', () => {
  const candidate = (data: unknown, type = 'StockAdded') => ({ id: 'x', type, data, metadata: { correlationId: 'c', causationId: 'c' } });

  it('accepts valid data and stamps the current schema version', () => {
    const checked = validateAgainstRegistry(registry, candidate({ sku: 'A', quantity: 2, warehouse: 'north' }));
    expect(checked.metadata.schemaVersion).toBe(3);
  });

  it('refuses an unknown type, naming the types it knows', () => {
    expect(() => validateAgainstRegistry(registry, candidate({}, 'StockStolen'))).toThrow("unknown event type 'StockStolen'; this store knows StockAdded");
  });

  it('refuses data that fails the schema, naming each failing field', () => {
    expect(() => validateAgainstRegistry(registry, candidate({ sku: 'A', quantity: -1 }))).toThrow(InvalidEventError);
    expect(() => validateAgainstRegistry(registry, candidate({ sku: 'A', quantity: -1 }))).toThrow(/quantity: .*warehouse: /);
  });

  it('lifts version 1 through every upcaster to the current version, keeping unknown fields', () => {
    const lifted = upcast(registry, stored({ sku: 'A', qty: 4, note: 'kept' }, 1));
    expect(lifted.data).toEqual({ sku: 'A', qty: 4, quantity: 4, warehouse: 'main', note: 'kept' });
    expect(lifted.metadata.schemaVersion).toBe(3);
  });

  it('leaves current versions, unknown types and stores without a registry untouched', () => {
    const current = stored({ sku: 'A', quantity: 1, warehouse: 'w' }, 3);
    expect(upcast(registry, current)).toBe(current);
    const unknown = stored({ any: 'thing' }, 1, 'SomethingElse');
    expect(upcast(registry, unknown)).toBe(unknown);
    expect(upcast(undefined, stored({ qty: 1 }, 1)).data).toEqual({ qty: 1 });
  });

  it('fails loudly when an upcaster in the chain is missing', () => {
    const gappy: EventSchemaRegistry = { StockAdded: { version: 2, schema: z.object({}) } };
    expect(() => upcast(gappy, stored({}, 1))).toThrow('no upcaster from StockAdded v1 to v2');
  });
});
