import { Readable } from 'node:stream';
import {
  ANY,
  NO_STREAM,
  STREAM_EXISTS,
  StreamNotFoundError,
  WrongExpectedVersionError,
  type AllStreamJSONRecordedEvent,
  type AppendExpectedRevision,
  type AppendResult,
  type EventData as EsdbEventData,
  type EventStoreDBClient,
  type ReadAllOptions,
  type ReadStreamOptions,
  type StreamMetadata,
} from '@eventstore/db-client';
import { EsdbEventStore } from './store';

/**
 * An in-memory stand-in for the server, with its append rules as its IndexWriter
 * applies them (the commit check), since the adapter's idempotency depends on them:
 *
 * - `stream_exists` on a missing stream is a conflict.
 * - `any` and `stream_exists` look each event id up in a bounded cache of recently
 *   written ids (`idCacheCapacity`; a restart empties it, `forgetRecentIds`): the first
 *   id unknown, or known in another stream, means a fresh append, which is written even
 *   if the id is older in the stream; all known: success, nothing written, the revision
 *   of the batch stored the first time; only some: a conflict (corrupted idempotency).
 * - A revision E (`no_stream` is E = -1): E equal to the stream's revision writes; E
 *   greater is a conflict; E smaller compares the ids with the events at E+1, E+2, ...:
 *   all equal is success with nothing written (revision E + count), the first different
 *   is a conflict, a later one too (corrupted idempotency). Events earlier in the stream
 *   are never looked at.
 *
 * Reads of $all include the event at their start position; a missing stream reads as
 * StreamNotFound.
 */
export class FakeServer {
  readonly log: AllStreamJSONRecordedEvent[] = [];
  readonly metadata = new Map<string, StreamMetadata>();
  private readonly recentIds = new Map<string, { stream: string; revision: bigint }>();
  private interleave: (() => void) | undefined;

  constructor(private readonly idCacheCapacity = 1_000) {}

  readonly client = {
    appendToStream: jest.fn(async (stream: string, data: EsdbEventData | EsdbEventData[], options: { expectedRevision?: AppendExpectedRevision } = {}) => {
      const interleave = this.interleave;
      this.interleave = undefined;
      interleave?.();
      return this.append(stream, Array.isArray(data) ? data : [data], options.expectedRevision ?? ANY);
    }),
    readStream: jest.fn((stream: string, { direction = 'forwards', fromRevision = 'start', maxCount = Number.MAX_SAFE_INTEGER }: ReadStreamOptions = {}) => {
      const events = this.streamOf(stream);
      if (events.length === 0) return this.failing(new StreamNotFoundError(undefined, stream));
      const from = fromRevision === 'start' ? 0n : fromRevision === 'end' ? BigInt(events.length - 1) : fromRevision;
      const picked = direction === 'forwards' ? events.filter((e) => e.revision >= from) : events.filter((e) => e.revision <= from).reverse();
      return this.reading(picked.slice(0, Number(maxCount)));
    }),
    readAll: jest.fn(({ direction = 'forwards', fromPosition = 'start', maxCount = Number.MAX_SAFE_INTEGER }: ReadAllOptions = {}) => {
      const picked =
        direction === 'backwards'
          ? [...this.log].reverse()
          : this.log.filter((e) => fromPosition === 'start' || (fromPosition !== 'end' && e.position.commit >= fromPosition.commit));
      return this.reading(picked.slice(0, Number(maxCount)));
    }),
    setStreamMetadata: jest.fn(async (stream: string, metadata: StreamMetadata) => {
      this.metadata.set(stream, metadata);
      return { success: true, nextExpectedRevision: 0n };
    }),
    dispose: jest.fn(async () => undefined),
  };

  readonly store = (options: ConstructorParameters<typeof EsdbEventStore>[1] = {}) => new EsdbEventStore(this.client as unknown as EventStoreDBClient, options);

  /** What a server restart does to the idempotency cache. */
  forgetRecentIds(): void {
    this.recentIds.clear();
  }

  /** Writes events as another client would, bypassing every check (e.g. a duplicate stored before a fix). */
  writeRaw(stream: string, events: EsdbEventData[]): void {
    this.write(stream, events, this.current(stream));
  }

  /** Runs `write` when the next append reaches the server, before it is checked: another client got in first. */
  beforeNextAppend(write: () => void): void {
    this.interleave = write;
  }

  streamOf = (stream: string) => this.log.filter((e) => e.streamId === stream);

  private current = (stream: string): bigint => BigInt(this.streamOf(stream).length - 1);

  private append(stream: string, events: EsdbEventData[], expected: AppendExpectedRevision): AppendResult {
    const current = this.current(stream);
    const conflict = () => new WrongExpectedVersionError(undefined, { streamName: stream, expected, current: current < 0n ? NO_STREAM : current });
    if (expected === STREAM_EXISTS && current < 0n) throw conflict();
    if (expected === ANY || expected === STREAM_EXISTS) {
      const known = events.map((e) => this.recentIds.get(e.id)).map((info) => (info?.stream === stream ? info : undefined));
      if (!known[0]) return this.write(stream, events, current);
      if (known.some((info) => !info)) throw conflict();
      return this.idempotent(stream, known.at(-1)?.revision ?? current);
    }
    const at = expected === NO_STREAM ? -1n : expected;
    if (at > current) throw conflict();
    if (at === current) return this.write(stream, events, current);
    const existing = this.streamOf(stream);
    if (!events.every((e, i) => existing[Number(at) + 1 + i]?.id === e.id)) throw conflict();
    return this.idempotent(stream, at + BigInt(events.length));
  }

  private idempotent(stream: string, revision: bigint): AppendResult {
    return { success: true, nextExpectedRevision: revision, position: this.streamOf(stream)[Number(revision)]?.position };
  }

  private write(stream: string, events: EsdbEventData[], current: bigint): AppendResult {
    for (const [i, e] of events.entries()) {
      const commit = BigInt(this.log.length + 1) * 100n;
      const revision = current + BigInt(i) + 1n;
      const recorded = { streamId: stream, id: e.id, isJson: true as const, revision, type: e.type, created: new Date(0) };
      this.log.push({ ...recorded, data: e.data as AllStreamJSONRecordedEvent['data'], metadata: e.metadata, position: { commit, prepare: commit } });
      this.recentIds.delete(e.id);
      this.recentIds.set(e.id, { stream, revision });
      if (this.recentIds.size > this.idCacheCapacity) this.recentIds.delete(this.recentIds.keys().next().value as string);
    }
    return { success: true, nextExpectedRevision: current + BigInt(events.length), position: this.log.at(-1)?.position };
  }

  private reading = (events: AllStreamJSONRecordedEvent[]) =>
    Object.assign(Readable.from(events.map((event) => ({ event }))), { cancel: jest.fn(async () => undefined) });

  private failing = (error: Error) =>
    Object.assign(new Readable({ objectMode: true, read: () => undefined }).destroy(error), { cancel: jest.fn(async () => undefined) });
}
