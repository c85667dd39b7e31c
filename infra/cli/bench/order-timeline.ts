// Where an order's time goes: every event the order placement wrote, in each context's
// store, as the time after its POST was due. Read from the stores once the shop has
// stopped, so measuring adds nothing to the load; an order's events are those carrying
// its OrderPlaced's correlation id. A hop is the difference between two rows: from a
// saga's CommandIssued to the target's event is the relay, Kafka and the target's
// consumer; from there to the saga's ReplyReceived, the same way back.
import { createEventStore, type PositionedEvent } from '@ordo/eventstore';
import { percentile } from '@ordo/testing/bench';

/** The contexts the order placement writes to; each store's schema is named after its context. */
const TIMELINE_CONTEXTS = ['orders', 'sagas', 'inventory', 'payments', 'shipping'] as const;

export interface TimelineRow {
  /** `<context> <event type>[ <saga step>][ #n]`: #n for an order's n-th event of the same label (two lines, two reservations). */
  event: string;
  /** ms after the POST was due, per rate, in the order of the rates given. */
  p50: number[];
  p99: number[];
  /** Orders of each rate that have this event. */
  orders: number[];
}

type StoreOf = (context: (typeof TIMELINE_CONTEXTS)[number]) => string;

/** One event of the order placement, as the timeline needs it. */
export interface TimelineEvent {
  context: string;
  type: string;
  /** The saga's step it is about (CommandIssued, ReplyReceived), if any. */
  step?: string;
  correlationId: string;
  /** The order an OrderPlaced places: it ties the correlation id to the order's due time. */
  placesOrder?: string;
  /** When it was recorded, in ms. */
  at: number;
}

/** The saga's step an event is about, if any. */
const stepOf = (event: PositionedEvent): string | undefined => {
  const step = (event.data as { step?: unknown } | null)?.step;
  return typeof step === 'string' ? step : undefined;
};

/** Every event of the contexts' stores that carries a correlation id. */
const readTimelineEvents = async (storeOf: StoreOf): Promise<TimelineEvent[]> => {
  const events: TimelineEvent[] = [];
  for (const context of TIMELINE_CONTEXTS) {
    const store = await createEventStore(storeOf(context), { schema: context });
    try {
      for await (const event of store.readAll()) {
        const correlationId = event.metadata?.correlationId;
        if (!correlationId) continue;
        const step = stepOf(event);
        const placesOrder = context === 'orders' && event.type === 'OrderPlaced' ? (event.data as { orderId: string }).orderId : undefined;
        events.push({ context, type: event.type, correlationId, at: event.recordedAt.getTime(), ...(step && { step }), ...(placesOrder && { placesOrder }) });
      }
    } finally {
      await store.close();
    }
  }
  return events;
};

/**
 * The timeline of the orders of each rate (`dues`: each rate's order ids and when their
 * POST was due), a row per event label, ordered by its p50 at the first rate that has it. Events of
 * orders in no rate (the warm-up's) are left out.
 */
export const timelineRows = (events: readonly TimelineEvent[], dues: readonly Map<string, number>[]): TimelineRow[] => {
  const dueOfCorrelation = new Map<string, { rateIndex: number; due: number }>();
  for (const { correlationId, placesOrder } of events) {
    if (placesOrder === undefined) continue;
    const rateIndex = dues.findIndex((due) => due.has(placesOrder));
    if (rateIndex >= 0) dueOfCorrelation.set(correlationId, { rateIndex, due: dues[rateIndex]?.get(placesOrder) as number });
  }
  // label -> per rate, the ms after due of each order that has it
  const times = new Map<string, number[][]>();
  // correlation id -> label -> how many of it the order had so far
  const seen = new Map<string, Map<string, number>>();
  for (const event of [...events].sort((a, b) => a.at - b.at)) {
    const order = dueOfCorrelation.get(event.correlationId);
    if (!order) continue;
    const label = `${event.context} ${event.type}${event.step ? ` ${event.step}` : ''}`;
    let counts = seen.get(event.correlationId);
    if (!counts) seen.set(event.correlationId, (counts = new Map()));
    const n = (counts.get(label) ?? 0) + 1;
    counts.set(label, n);
    const row = n === 1 ? label : `${label} #${n}`;
    let perRate = times.get(row);
    if (!perRate) times.set(row, (perRate = dues.map(() => [])));
    perRate[order.rateIndex]?.push(event.at - order.due);
  }
  const rows = [...times].map(([event, perRate]) => {
    const sorted = perRate.map((values) => [...values].sort((a, b) => a - b));
    return {
      event,
      p50: sorted.map((values) => percentile(values, 0.5)),
      p99: sorted.map((values) => percentile(values, 0.99)),
      orders: sorted.map((values) => values.length),
    };
  });
  // By the first rate that has the event (a rate may have none of an event: NaN).
  const firstFigure = ({ p50 }: TimelineRow) => p50.find((value) => !Number.isNaN(value)) ?? 0;
  return rows.sort((a, b) => firstFigure(a) - firstFigure(b));
};

/** The timeline of the orders of each rate, read from the contexts' stores (timelineRows). */
export const orderTimeline = async (storeOf: StoreOf, dues: readonly Map<string, number>[]): Promise<TimelineRow[]> =>
  timelineRows(await readTimelineEvents(storeOf), dues);

export const printOrderTimeline = (title: string, rates: readonly number[], rows: readonly TimelineRow[]) => {
  if (rows.length === 0) return;
  console.log(`${title}: where an order's time goes, each event's time after its POST was due (ms, p50 / p99)`);
  console.log(`${'event'.padEnd(44)} ${rates.map((rate) => `${rate}/s`.padStart(13)).join(' ')}`);
  for (const { event, p50, p99, orders } of rows) {
    const cells = p50.map((value, i) => (orders[i] ? `${value.toFixed(0)} / ${(p99[i] ?? 0).toFixed(0)}` : '-'));
    console.log(`${event.padEnd(44)} ${cells.map((cell) => cell.padStart(13)).join(' ')}`);
  }
};
