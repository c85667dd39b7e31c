import { createEventStore, type EventStore, type RecordedEvent } from '@ordo/eventstore';

/** An in-memory PGlite store per context, for the embedded bus and the store feed. */
export const memoryStore = (context: string): Promise<EventStore> => createEventStore('pglite:memory', { schema: context });

/** Appends recorded events to their streams, at their own revisions. */
export const appendAll = async (store: EventStore, events: RecordedEvent[]): Promise<void> => {
  for (const event of events) {
    await store.appendToStream(event.stream, [{ id: event.id, type: event.type, data: event.data, metadata: event.metadata }], {
      expectedRevision: event.revision === 0n ? 'no_stream' : event.revision - 1n,
    });
  }
};

/** The parcels' events by context: `parcels` (streams parcel-) and `scans` (streams scan-). */
export const byContext = (events: RecordedEvent[]) => ({
  parcels: events.filter((event) => event.stream.startsWith('parcel-')),
  scans: events.filter((event) => event.stream.startsWith('scan-')),
});
