import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START,
  StreamNotFoundError,
  WrongExpectedVersionError,
  jsonEvent,
  type AllStreamRecordedEvent,
  type RecordedEvent as EsdbRecordedEvent,
  type StreamingRead,
} from '@eventstore/db-client';
// Type only: create.ts imports this module.
import type { EventStoreOptions } from '../create';
import { WrongExpectedRevisionError } from '../errors';
import { withinStore } from '../filters';
import { checkAppend, checkExpectedRevision, checkOwnedStream, checkStoreLimits, type StoreLimits } from '../input';
import { loadedStreams } from '../loaded-streams';
import { upcast } from '../registry';
import type {
  AppendOptions,
  AppendResult,
  EventData,
  EventStore,
  PositionedEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  Snapshot,
  SubscribeOptions,
  Subscription,
} from '../types';
import {
  SNAPSHOT_EVENT_TYPE,
  fromSnapshotData,
  isAfter,
  matchesFilter,
  parseCheckpoint,
  snapshotStreamOf,
  toEventData,
  toPositioned,
  toRecorded,
  toSnapshotData,
  toStoreError,
} from './mapping';
import { EMPTY_STREAM, guardedRevision, repeatedAppend, type ScannedStream } from './appending';
import { subscribe } from './subscription';

export type EsdbEventStoreOptions = Pick<EventStoreOptions, 'streamPrefixes' | 'registry' | 'maxEventBytes'>;

const DEFAULT_BATCH = 500;

// How often an append at 'any' or 'stream_exists' is tried again when another writer moved the stream.
const ANY_RETRIES = 10;

// Streams whose event ids are kept after an append, so the next append to one reads
// only the events after them. Streams only grow (revisions never go back, even past a
// soft delete), so what was read stays true.
const SCANNED_STREAMS = 256;

// Saves of one stream's snapshot that race are retried; past this, the conflict is thrown.
const SNAPSHOT_ATTEMPTS = 5;

/** Iterates a read of the client, cancelling its gRPC call when the reader stops early. */
async function* drain<T>(read: StreamingRead<T>): AsyncGenerator<T> {
  let finished = false;
  try {
    for await (const item of read) yield item;
    finished = true;
  } finally {
    if (!finished) await read.cancel().catch(() => undefined);
  }
}

/**
 * `esdb://…`, `esdb+discover://…`, or the same with `kurrentdb`, which the client does
 * not know by that name. The client connects on first use and reconnects by itself.
 */
export const esdbEventStore = async (url: string, options: EsdbEventStoreOptions = {}): Promise<EsdbEventStore> =>
  new EsdbEventStore(EventStoreDBClient.connectionString(url.replace(/^kurrentdb(\+discover)?:\/\//, 'esdb$1://')), options);

/** The EventStoreDB / KurrentDB adapter: one database shared by every context, told apart by stream prefix. */
export class EsdbEventStore implements EventStore {
  private readonly subscriptions = new Set<Subscription>();
  private readonly options: StoreLimits;
  private readonly scanned = loadedStreams<ScannedStream & { revision: bigint }>(SCANNED_STREAMS);

  constructor(
    private readonly client: EventStoreDBClient,
    options: EsdbEventStoreOptions = {},
  ) {
    this.options = checkStoreLimits(options);
  }

  /**
   * Reads which event ids the stream holds, then appends at exactly the revision read
   * (see appending.ts): events already there are never stored again, whatever the
   * caller expected, and a writer that got in between makes the append fail instead of
   * interleaving. The stream is read once per stream and process, then only its new events.
   */
  async appendToStream(stream: string, events: readonly EventData[], { expectedRevision }: AppendOptions): Promise<AppendResult> {
    const checked = checkAppend(stream, events, this.options);
    const expected = checkExpectedRevision(expectedRevision);
    const data = checked.map((event) => toEventData(event, stream));
    const ids = data.map((event) => event.id);
    let scanned = await this.scan(stream);
    for (let attempt = 0; ; attempt++) {
      const repeated = repeatedAppend(scanned, ids, stream);
      if (repeated) return repeated;
      const guard = guardedRevision(stream, expected, scanned.revision);
      try {
        const result = await this.client.appendToStream(stream, data, { expectedRevision: guard ?? NO_STREAM });
        this.scanned.offer(stream, { revision: result.nextExpectedRevision, ids: new Set([...scanned.ids, ...ids]) });
        // A concurrent append of these very events, at the same revision, is answered
        // idempotently by the server and also lands here: stored once, reported to both.
        return { nextExpectedRevision: result.nextExpectedRevision, written: true };
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError)) throw toStoreError(error, stream, expected);
        // Someone wrote since the read: read what they wrote, then decide again.
        scanned = await this.scan(stream, scanned);
        if (attempt >= ANY_RETRIES && !repeatedAppend(scanned, ids, stream)) throw new WrongExpectedRevisionError(stream, expected, scanned.revision);
      }
    }
  }

  async *readStream(stream: string, options: ReadStreamOptions = {}): AsyncIterable<RecordedEvent> {
    checkOwnedStream(stream, this.options.streamPrefixes);
    if (options.maxCount !== undefined && options.maxCount <= 0) return;
    const backwards = options.direction === 'backwards';
    const read = this.client.readStream(stream, {
      direction: backwards ? BACKWARDS : FORWARDS,
      fromRevision: options.fromRevision ?? (backwards ? END : START),
      maxCount: options.maxCount,
    });
    try {
      for await (const { event, commitPosition } of drain(read)) {
        if (event) yield upcast(this.options.registry, toRecorded(event, commitPosition));
      }
    } catch (error) {
      // A stream never written to reads as empty, as it does in PostgreSQL.
      if (!(error instanceof StreamNotFoundError)) throw error;
    }
  }

  /**
   * Pages through $all. Client 6.2 reads $all without a server-side filter (only its
   * subscriptions take one), so every event is fetched and the filter applied here.
   */
  async *readAll(options: ReadAllOptions = {}): AsyncIterable<PositionedEvent> {
    const filter = withinStore(options.filter, this.options.streamPrefixes);
    let from = parseCheckpoint(options.from);
    // A read from a position includes the event there, which was read already: each page
    // asks for one more than the batch and skips what is not after `from`.
    const limit = Math.max(1, options.batchSize ?? DEFAULT_BATCH) + 1;
    for (;;) {
      let read = 0;
      for await (const { event } of drain(this.client.readAll({ fromPosition: from ?? START, maxCount: limit }))) {
        read += 1;
        if (!event || (from && !isAfter(event.position, from))) continue;
        from = event.position;
        if (matchesFilter(event, filter)) yield this.positioned(event);
      }
      if (read < limit) return;
    }
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    const filter = withinStore(options.filter, this.options.streamPrefixes);
    const subscription = subscribe(this.client, filter, (event) => this.positioned(event), options);
    this.subscriptions.add(subscription);
    void subscription.done.catch(() => undefined).finally(() => this.subscriptions.delete(subscription));
    return subscription;
  }

  /**
   * A snapshot is the one event of `ordo-snapshot-<stream>`, a stream with `$maxCount` 1,
   * so older ones are scavenged. Appending at the revision just read keeps an older
   * snapshot saved late from replacing a newer one.
   */
  async saveSnapshot<S>(stream: string, snapshot: Snapshot<S>): Promise<void> {
    checkOwnedStream(stream, this.options.streamPrefixes);
    const target = snapshotStreamOf(stream);
    for (let attempt = 1; ; attempt++) {
      const last = await this.lastEvent(target);
      const current = last && fromSnapshotData(last.data);
      if (current && current.revision > snapshot.revision) return;
      if (!last) await this.client.setStreamMetadata(target, { maxCount: 1 });
      try {
        await this.client.appendToStream(target, jsonEvent({ type: SNAPSHOT_EVENT_TYPE, data: toSnapshotData(snapshot) }), {
          expectedRevision: last ? last.revision : NO_STREAM,
        });
        return;
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError) || attempt >= SNAPSHOT_ATTEMPTS)
          throw toStoreError(error, target, last ? last.revision : 'no_stream');
      }
    }
  }

  async loadSnapshot<S>(stream: string): Promise<Snapshot<S> | undefined> {
    checkOwnedStream(stream, this.options.streamPrefixes);
    const last = await this.lastEvent(snapshotStreamOf(stream));
    return last && fromSnapshotData<S>(last.data);
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((subscription) => subscription.stop()));
    await this.client.dispose();
  }

  private positioned(event: AllStreamRecordedEvent): PositionedEvent {
    return upcast(this.options.registry, toPositioned(event));
  }

  /** The stream's event ids and last revision, reading only what follows `known` (or the cache). */
  private async scan(stream: string, known?: ScannedStream): Promise<ScannedStream> {
    const start = known ?? this.scanned.get(stream) ?? EMPTY_STREAM;
    const ids = new Set(start.ids);
    let revision = start.revision;
    try {
      const read = this.client.readStream(stream, { direction: FORWARDS, fromRevision: revision === undefined ? START : revision + 1n });
      for await (const { event } of drain(read)) {
        if (!event) continue;
        ids.add(event.id.toLowerCase());
        revision = event.revision;
      }
    } catch (error) {
      if (!(error instanceof StreamNotFoundError)) throw error;
    }
    if (revision !== undefined) this.scanned.offer(stream, { revision, ids });
    return { revision, ids };
  }

  private async lastEvent(stream: string): Promise<EsdbRecordedEvent | undefined> {
    try {
      for await (const { event } of drain(this.client.readStream(stream, { direction: BACKWARDS, fromRevision: END, maxCount: 1 }))) return event;
    } catch (error) {
      if (!(error instanceof StreamNotFoundError)) throw error;
    }
    return undefined;
  }
}
