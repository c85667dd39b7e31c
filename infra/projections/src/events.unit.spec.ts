import { compareOffsets, mayConcern, projectedEventOf, type ProjectionMessage } from './events';

const message = (headers: Record<string, string>): ProjectionMessage => ({ topic: 'ordo.parcels.events', partition: 0, offset: '0', headers, value: null });

describe('a projection’s messages', () => {
  it('order Kafka offsets as numbers and store checkpoints as pairs', () => {
    expect(compareOffsets('9', '10')).toBe(-1);
    expect(compareOffsets('10', '10')).toBe(0);
    expect(compareOffsets('7:20', '7:3')).toBe(1);
    expect(compareOffsets('7:20', '8:0')).toBe(-1);
    expect(compareOffsets('18446744073709551615:1', '18446744073709551615:2')).toBe(-1);
  });

  it('read the published event, revision as a bigint', () => {
    const value = JSON.stringify({
      id: 'e1',
      type: 'ParcelRegistered',
      stream: 'parcel-1',
      revision: '12',
      position: '40',
      data: { parcelId: '1' },
      metadata: { correlationId: 'c', causationId: 'k', schemaVersion: 1 },
      recordedAt: '2026-01-01T00:00:00.000Z',
    });
    expect(projectedEventOf(value)).toEqual({
      id: 'e1',
      type: 'ParcelRegistered',
      stream: 'parcel-1',
      revision: 12n,
      data: { parcelId: '1' },
      recordedAt: new Date('2026-01-01T00:00:00.000Z'),
      correlationId: 'c',
      causationId: 'k',
    });
    expect(() => projectedEventOf(JSON.stringify({ type: 'ParcelRegistered' }))).toThrow('not an event');
    expect(() => projectedEventOf('{')).toThrow();
  });

  it('pass over command copies and the types not handled, from the headers', () => {
    const handles = new Set(['ParcelRegistered']);
    expect(mayConcern(message({ 'message-kind': 'command', 'event-type': 'ParcelRegistered' }), handles)).toBe(false);
    expect(mayConcern(message({ 'message-kind': 'event', 'event-type': 'ParcelLost' }), handles)).toBe(false);
    expect(mayConcern(message({ 'message-kind': 'event', 'event-type': 'ParcelRegistered' }), handles)).toBe(true);
    expect(mayConcern(message({}), handles)).toBe(true);
    expect(mayConcern(message({ 'event-type': 'ParcelLost' }), undefined)).toBe(true);
  });
});
