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
import { checkAppend, checkExpectedRevision, checkStreamName } from '../input';
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
  appendOutcome,
  effectiveFilter,
  fromSnapshotData,
  isAfter,
  matchesFilter,
  parseCheckpoint,
  snapshotStreamOf,
  toEventData,
  toExpectedRevision,
  toPositioned,
  toRecorded,
  toSnapshotData,
  toStoreError,
} from './mapping';
import { subscribe } from './subscription';

export type EsdbEventStoreOptions = Pick<EventStoreOptions, 'streamPrefixes' | 'registry'>;

const DEFAULT_BATCH = 500;

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

  constructor(
    private readonly client: EventStoreDBClient,
    private readonly options: EsdbEventStoreOptions,
  ) {}

  async appendToStream(stream: string, events: readonly EventData[], { expectedRevision }: AppendOptions): Promise<AppendResult> {
    const checked = checkAppend(stream, events, this.options.registry);
    const expected = checkExpectedRevision(expectedRevision);
    const data = checked.map((event) => toEventData(event, stream));
    // The server answers a retry as it answers a fresh append; only the revision before
    // tells them apart (see appendOutcome). It costs one read of the stream's last event.
    const before = (await this.lastEvent(stream))?.revision;
    try {
      const result = await this.client.appendToStream(stream, data, { expectedRevision: toExpectedRevision(expected) });
      return appendOutcome(result.nextExpectedRevision, before);
    } catch (error) {
      throw toStoreError(error, stream, expected);
    }
  }

  async *readStream(stream: string, options: ReadStreamOptions = {}): AsyncIterable<RecordedEvent> {
    checkStreamName(stream);
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
    const filter = effectiveFilter(options.filter, this.options.streamPrefixes);
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
    const filter = effectiveFilter(options.filter, this.options.streamPrefixes);
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
    checkStreamName(stream);
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
        if (!(error instanceof WrongExpectedVersionError) || attempt >= SNAPSHOT_ATTEMPTS) throw toStoreError(error, target, last ? last.revision : 'no_stream');
      }
    }
  }

  async loadSnapshot<S>(stream: string): Promise<Snapshot<S> | undefined> {
    checkStreamName(stream);
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

  private async lastEvent(stream: string): Promise<EsdbRecordedEvent | undefined> {
    try {
      for await (const { event } of drain(this.client.readStream(stream, { direction: BACKWARDS, fromRevision: END, maxCount: 1 }))) return event;
    } catch (error) {
      if (!(error instanceof StreamNotFoundError)) throw error;
    }
    return undefined;
  }
}
