import { randomUUID } from 'node:crypto';
import type { EventStoreOptions } from '../create';
import { eventIdFor } from '../ids';
import type { EventData, EventStore, PositionedEvent, ReadAllOptions, RecordedEvent } from '../types';

/** Opens a store on the adapter's database; called again, it opens another on the same data. */
export type StoreFactory = (options?: EventStoreOptions) => Promise<EventStore>;

/** Stream names unique to one contract run, so runs against a shared server never meet. */
export const streamNames = () => {
  const run = randomUUID().slice(0, 8);
  return (category: string, id: string = randomUUID().slice(0, 8)) => `${category}${run}-${id}`;
};

export const metadata = (overrides: Partial<EventData['metadata']> = {}) => ({
  correlationId: 'correlation-1',
  causationId: 'causation-1',
  schemaVersion: 1,
  ...overrides,
});

/** The index-th event of a command: the same command gives the same ids. */
export const event = (command: string, index: number, type = 'Happened', data: unknown = { index }): EventData => ({
  id: eventIdFor(command, index),
  type,
  data,
  metadata: metadata({ commandId: command }),
});

export const events = (command: string, count: number, type?: string): EventData[] => Array.from({ length: count }, (_, index) => event(command, index, type));

export const collect = async <T>(iterable: AsyncIterable<T>): Promise<T[]> => {
  const all: T[] = [];
  for await (const item of iterable) all.push(item);
  return all;
};

export const readStreamAll = (store: EventStore, stream: string) => collect<RecordedEvent>(store.readStream(stream));

export const readAllOf = (store: EventStore, prefix: string, options: ReadAllOptions = {}) =>
  collect<PositionedEvent>(store.readAll({ ...options, filter: { ...options.filter, streamPrefixes: [prefix] } }));
