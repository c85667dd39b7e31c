import type { RecordedEvent } from '@ordo/eventstore';
import { eventMessageValue, headersOf } from '@ordo/messaging';
import type { ProjectedEvent } from '../src/definition';
import type { ProjectionMessage } from '../src/events';
import { rowProjection } from '../src/row-projection';

// A small projection of two sources for the runner's specs: parcels (registered, labelled,
// delivered) and their scans, on streams `parcel-<id>` and `scan-<id>`.

export interface ParcelRow extends Record<string, unknown> {
  parcel_id: string;
  status: string | null;
  weight_grams: number | null;
  labels: string[] | null;
  scans: number | null;
  last_scan_at: Date | null;
}

type ParcelData = { parcelId: string; weightGrams?: number; label?: string; at?: string };

export const parcelsProjection = (options: { topics: string[]; version?: number; name?: string; fillRows?: number }) =>
  rowProjection<ParcelRow>({
    name: options.name ?? 'parcels-view',
    version: options.version ?? 1,
    topics: options.topics,
    ...(options.fillRows === undefined ? {} : { fillRows: options.fillRows }),
    handles: ['ParcelRegistered', 'ParcelLabelled', 'ParcelDelivered', 'ParcelScanned'],
    table: 'parcels',
    key: 'parcel_id',
    columns: (table) => {
      table.text('status');
      table.integer('weight_grams');
      table.jsonb('labels');
      table.integer('scans').notNullable().defaultTo(0);
      table.timestamp('last_scan_at', { useTz: true });
    },
    sources: {
      parcels: { prefix: 'parcel-', columns: ['status', 'weight_grams', 'labels'] },
      scans: { prefix: 'scan-', columns: ['scans', 'last_scan_at'] },
    },
    keyOf: (event) => (event.data as ParcelData).parcelId,
    evolve: (row, event) => {
      const data = event.data as ParcelData;
      switch (event.type) {
        case 'ParcelRegistered':
          if (data.weightGrams === undefined || data.weightGrams < 0) throw new Error(`parcel ${data.parcelId} has no valid weight`);
          return { status: 'registered', weight_grams: data.weightGrams, labels: [] };
        case 'ParcelLabelled':
          return { labels: [...(row?.labels ?? []), data.label ?? ''] };
        case 'ParcelDelivered':
          return { status: 'delivered' };
        case 'ParcelScanned':
          return { scans: (row?.scans ?? 0) + 1, last_scan_at: new Date(data.at ?? 0) };
        default:
          return {};
      }
    },
  });

let sequence = 0;

/** A recorded event of a parcel's stream (`parcel-<id>`) or of its scans (`scan-<id>`). */
export const parcelEvent = (stream: string, revision: number, type: string, data: ParcelData): RecordedEvent => ({
  id: `00000000-0000-4000-8000-${String(++sequence).padStart(12, '0')}`,
  type,
  stream,
  revision: BigInt(revision),
  position: BigInt(sequence),
  data,
  metadata: { correlationId: stream, causationId: stream, schemaVersion: 1 },
  recordedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, revision)),
});

/** A label with what COPY's text format escapes (a backslash, a tab, line breaks, `\N`), and quotes JSON escapes. */
export const AWKWARD_LABEL = 'this side up\t"glass"\\N\r\nno \\ hooks';

/** A parcel's history on both sources: registered, labelled, scanned twice, delivered. */
export const parcelHistory = (id: string, options: { weightGrams?: number } = {}): RecordedEvent[] => [
  parcelEvent(`parcel-${id}`, 0, 'ParcelRegistered', { parcelId: id, weightGrams: options.weightGrams ?? 500 }),
  parcelEvent(`parcel-${id}`, 1, 'ParcelLabelled', { parcelId: id, label: 'fragile' }),
  parcelEvent(`scan-${id}`, 0, 'ParcelScanned', { parcelId: id, at: '2026-01-02T10:00:00.000Z' }),
  parcelEvent(`parcel-${id}`, 2, 'ParcelLabelled', { parcelId: id, label: AWKWARD_LABEL }),
  parcelEvent(`scan-${id}`, 1, 'ParcelScanned', { parcelId: id, at: '2026-01-03T10:00:00.000Z' }),
  parcelEvent(`parcel-${id}`, 3, 'ParcelDelivered', { parcelId: id }),
];

/** An event as the relay publishes it: its JSON value and headers (strings). */
export const published = (event: RecordedEvent) => ({
  key: event.stream,
  value: eventMessageValue(event),
  headers: Object.fromEntries(Object.entries(headersOf(event)).map(([name, value]) => [name, String(value)])),
});

/** A feed-shaped message of an event, at an offset of its own topic (`parcels` or `scans`). */
export const messageOf = (event: RecordedEvent, offset: number): ProjectionMessage => ({
  topic: event.stream.startsWith('scan-') ? 'scans' : 'parcels',
  partition: 0,
  offset: String(offset),
  ...published(event),
});

export const projected = (event: RecordedEvent): ProjectedEvent => ({ ...event, correlationId: event.metadata.correlationId });
