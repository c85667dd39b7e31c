import {
  ANY,
  EVENT_TYPE,
  NO_STREAM,
  STREAM_EXISTS,
  STREAM_NAME,
  StreamDeletedError,
  WrongExpectedVersionError,
  type AllStreamJSONRecordedEvent,
  type BinaryRecordedEvent,
  type JSONRecordedEvent,
  type PrefixesFilter,
  type RegexFilter,
} from '@eventstore/db-client';
import { InvalidEventError, WrongExpectedRevisionError } from '../errors';
import type { EventData, EventMetadata } from '../types';
import {
  formatCheckpoint,
  fromSnapshotData,
  isAfter,
  matchesFilter,
  parseCheckpoint,
  snapshotStreamOf,
  toEventData,
  toExpectedRevision,
  toMetadata,
  toPositioned,
  toRecorded,
  toServerFilter,
  toSnapshotData,
  toStoreError,
} from './mapping';

const metadata = { correlationId: 'corr-1', causationId: 'cause-1', commandId: 'cmd-1', schemaVersion: 2 } satisfies EventMetadata;
const created = new Date('2025-03-01T10:00:00.000Z');
const recorded = (overrides: Partial<JSONRecordedEvent> = {}): JSONRecordedEvent => ({
  streamId: 'order-42',
  id: '6f1c2b1e-8a7b-4c41-9f55-3f0d1c2a9e10',
  isJson: true,
  revision: 3n,
  type: 'OrderPlaced',
  created,
  data: { orderId: '42', total: 12.5 },
  metadata,
  ...overrides,
});
const fromAll = (commit: bigint, prepare: bigint): AllStreamJSONRecordedEvent => ({ ...recorded(), position: { commit, prepare } });
const thrownBy = (act: () => unknown): unknown => {
  try {
    act();
  } catch (error) {
    return error;
  }
  return undefined;
};

describe('toExpectedRevision', () => {
  it.each([
    ['no_stream', NO_STREAM],
    ['stream_exists', STREAM_EXISTS],
    ['any', ANY],
    [0n, 0n],
    [41n, 41n],
  ] as const)('maps %p to the client value %p', (expected, client) => {
    expect(toExpectedRevision(expected)).toBe(client);
  });
});

describe('toEventData', () => {
  const event: EventData = { id: '6F1C2B1E-8A7B-4C41-9F55-3F0D1C2A9E10', type: 'OrderPlaced', data: { orderId: '42' }, metadata };

  it('sends the event as JSON under its own id, lower case as PostgreSQL stores it', () => {
    expect(toEventData(event, 'order-42')).toEqual({
      id: '6f1c2b1e-8a7b-4c41-9f55-3f0d1c2a9e10',
      contentType: 'application/json',
      type: 'OrderPlaced',
      data: { orderId: '42' },
      metadata,
    });
  });

  it('passes JSON scalars as data, which the client stringifies', () => {
    expect(toEventData({ ...event, data: 42 }, 'order-42').data).toBe(42);
  });

  it('refuses data that JSON cannot hold, naming the stream', () => {
    const error = thrownBy(() => toEventData({ ...event, data: { total: 1n } }, 'order-42'));
    expect(error).toBeInstanceOf(InvalidEventError);
    expect((error as Error).message).toMatch(/append to order-42 cannot be stored as JSON/);
  });
});

describe('toStoreError', () => {
  it("turns the client's conflict into the port's, with the stream's revision", () => {
    const conflict = new WrongExpectedVersionError(undefined, { streamName: 'order-42', expected: 3n, current: 5n });
    const mapped = toStoreError(conflict, 'order-42', 3n);
    expect(mapped).toBeInstanceOf(WrongExpectedRevisionError);
    expect(mapped).toMatchObject({ stream: 'order-42', expected: 3n, actual: 5n });
  });

  it('reports no stream as an undefined actual revision, keeping the expectation the caller passed', () => {
    const conflict = new WrongExpectedVersionError(undefined, { streamName: 'order-42', expected: STREAM_EXISTS, current: NO_STREAM });
    expect(toStoreError(conflict, 'order-42', 'stream_exists')).toMatchObject({ stream: 'order-42', expected: 'stream_exists', actual: undefined });
  });

  it.each([StreamDeletedError.fromStreamName('order-42'), new Error('unavailable')])('rethrows %p unchanged', (error) => {
    expect(toStoreError(error, 'order-42', 'any')).toBe(error);
  });
});

describe('toMetadata', () => {
  it('returns a parsed object unchanged', () => {
    expect(toMetadata(metadata, 'event 1')).toBe(metadata);
  });

  it('parses JSON bytes', () => {
    expect(toMetadata(new TextEncoder().encode(JSON.stringify(metadata)), 'event 1')).toEqual(metadata);
  });

  it.each([undefined, new TextEncoder().encode('not json'), new TextEncoder().encode('[1]'), ['a'], 'text'])('refuses %p, naming the event', (value) => {
    const error = thrownBy(() => toMetadata(value, 'event 1 at order-42@3'));
    expect(error).toBeInstanceOf(InvalidEventError);
    expect((error as Error).message).toMatch(/^event 1 at order-42@3 has no Ordo metadata/);
  });
});

describe('toRecorded', () => {
  it("maps the client's event to the port's, with the stream revision and commit position", () => {
    expect(toRecorded({ ...recorded(), position: { commit: 900n, prepare: 880n } })).toEqual({
      id: '6f1c2b1e-8a7b-4c41-9f55-3f0d1c2a9e10',
      type: 'OrderPlaced',
      stream: 'order-42',
      revision: 3n,
      position: 900n,
      data: { orderId: '42', total: 12.5 },
      metadata,
      recordedAt: created,
    });
  });

  it("takes the resolved event's commit position when an older server leaves the event's out, else -1", () => {
    expect(toRecorded(recorded(), 700n).position).toBe(700n);
    expect(toRecorded(recorded()).position).toBe(-1n);
  });

  it('passes binary data through as bytes', () => {
    const bytes = new Uint8Array([1, 2, 3]);
    const binary: BinaryRecordedEvent = { ...recorded(), isJson: false, data: bytes };
    expect(toRecorded(binary).data).toBe(bytes);
  });

  it('refuses an event without Ordo metadata', () => {
    expect(() => toRecorded(recorded({ metadata: undefined }))).toThrow(/order-42@3 has no Ordo metadata/);
  });
});

describe('toPositioned', () => {
  it('adds the checkpoint of its position in $all', () => {
    expect(toPositioned(fromAll(1024n, 1000n))).toMatchObject({ stream: 'order-42', revision: 3n, position: 1024n, checkpoint: '1024:1000' });
  });
});

describe('checkpoints', () => {
  it.each([
    { commit: 0n, prepare: 0n },
    { commit: 1024n, prepare: 1000n },
    { commit: 2n ** 63n - 1n, prepare: 2n ** 63n - 2n },
  ])('reads back $commit:$prepare', (position) => {
    expect(parseCheckpoint(formatCheckpoint(position))).toEqual(position);
  });

  it('starts from the beginning without one', () => {
    expect(parseCheckpoint(undefined)).toBeUndefined();
  });

  it.each(['', 'not a checkpoint', '12', '12:', ':12', '-1:0', '1:2:3', '1.5:2', '123456789012345678901:1'])('refuses %p', (checkpoint) => {
    expect(thrownBy(() => parseCheckpoint(checkpoint))).toBeInstanceOf(InvalidEventError);
  });

  it.each([
    { a: [11n, 5n], b: [10n, 9n], after: true },
    { a: [10n, 6n], b: [10n, 5n], after: true },
    { a: [10n, 5n], b: [10n, 5n], after: false },
    { a: [10n, 4n], b: [10n, 5n], after: false },
    { a: [9n, 9n], b: [10n, 0n], after: false },
  ])('isAfter($a, $b) is $after', ({ a, b, after }) => {
    expect(isAfter({ commit: a[0] ?? 0n, prepare: a[1] ?? 0n }, { commit: b[0] ?? 0n, prepare: b[1] ?? 0n })).toBe(after);
  });
});

describe('filtering $all', () => {
  it.each([
    { case: 'a user event, unfiltered', event: { streamId: 'order-1', type: 'OrderPlaced' }, filter: {}, passes: true },
    { case: 'a system stream', event: { streamId: '$stats-127.0.0.1:2113', type: '$statsCollected' }, filter: {}, passes: false },
    { case: 'a metadata event, even asked for', event: { streamId: '$$order-1', type: '$metadata' }, filter: { streamPrefixes: ['$$order-'] }, passes: false },
    { case: 'a system type in a user stream', event: { streamId: 'order-1', type: '$streamDeleted' }, filter: {}, passes: false },
    {
      case: 'a snapshot, even under a matching prefix',
      event: { streamId: snapshotStreamOf('order-1'), type: 'OrdoSnapshot' },
      filter: { streamPrefixes: ['ordo-'] },
      passes: false,
    },
    { case: 'one of several prefixes', event: { streamId: 'order-1', type: 'OrderPlaced' }, filter: { streamPrefixes: ['stock-', 'order-'] }, passes: true },
    { case: 'a stream that only looks alike', event: { streamId: 'orders-1', type: 'OrderPlaced' }, filter: { streamPrefixes: ['order-'] }, passes: false },
    { case: 'no prefixes at all', event: { streamId: 'order-1', type: 'OrderPlaced' }, filter: { streamPrefixes: [] }, passes: false },
    { case: 'a longer type name', event: { streamId: 'order-1', type: 'OrderPlacedV2' }, filter: { eventTypes: ['OrderPlaced'] }, passes: false },
    {
      case: 'prefix and type',
      event: { streamId: 'order-1', type: 'OrderPlaced' },
      filter: { streamPrefixes: ['order-'], eventTypes: ['OrderPlaced'] },
      passes: true,
    },
    {
      case: 'the type in another stream',
      event: { streamId: 'stock-1', type: 'OrderPlaced' },
      filter: { streamPrefixes: ['order-'], eventTypes: ['OrderPlaced'] },
      passes: false,
    },
  ])('$case: passes is $passes', ({ event, filter, passes }) => {
    expect(matchesFilter(event, filter)).toBe(passes);
  });

  it('asks the server for the event types when there are any', () => {
    const checkpointReached = jest.fn();
    const filter = toServerFilter({ streamPrefixes: ['order-'], eventTypes: ['OrderPlaced'] }, checkpointReached) as PrefixesFilter;
    expect(filter).toMatchObject({ filterOn: EVENT_TYPE, prefixes: ['OrderPlaced'] });
    expect(filter.checkpointReached).toBe(checkpointReached);
  });

  it('asks the server for the stream prefixes otherwise', () => {
    expect(toServerFilter({ streamPrefixes: ['order-', 'stock-'] })).toMatchObject({ filterOn: STREAM_NAME, prefixes: ['order-', 'stock-'] });
  });

  it('asks the server to leave out system events when nothing narrows the read', () => {
    const filter = toServerFilter({}) as RegexFilter;
    expect(filter.filterOn).toBe(EVENT_TYPE);
    expect(new RegExp(filter.regex).test('$statsCollected')).toBe(false);
    expect(new RegExp(filter.regex).test('OrderPlaced')).toBe(true);
  });
});

describe('snapshots', () => {
  it('keeps snapshots in a stream beside the one they summarise', () => {
    expect(snapshotStreamOf('stock-A-1')).toBe('ordo-snapshot-stock-A-1');
  });

  it('stores the revision as a string and reads the snapshot back', () => {
    const snapshot = { revision: 2n ** 62n, version: 3, state: { available: 5, reserved: ['o-1'] } };
    expect(toSnapshotData(snapshot)).toEqual({ revision: '4611686018427387904', version: 3, state: { available: 5, reserved: ['o-1'] } });
    expect(fromSnapshotData(toSnapshotData(snapshot))).toEqual(snapshot);
  });

  it.each([
    null,
    'text',
    new Uint8Array([1]),
    { revision: 5, version: 1, state: {} },
    { revision: '-1', version: 1, state: {} },
    { revision: '1', version: 1.5, state: {} },
    { revision: '1', version: 1 },
  ])('treats %p as no snapshot', (data) => {
    expect(fromSnapshotData(data)).toBeUndefined();
  });
});
