import { timelineRows, type TimelineEvent } from './order-timeline';

const placed = (correlationId: string, orderId: string, at: number): TimelineEvent => ({
  context: 'orders',
  type: 'OrderPlaced',
  correlationId,
  placesOrder: orderId,
  at,
});

describe('timelineRows', () => {
  it("puts each of an order's events at its time after the POST was due, a column per rate", () => {
    const events: TimelineEvent[] = [
      placed('c1', 'o1', 1_010),
      { context: 'sagas', type: 'CommandIssued', step: 'reserveStock', correlationId: 'c1', at: 1_030 },
      placed('c2', 'o2', 2_020),
      { context: 'sagas', type: 'CommandIssued', step: 'reserveStock', correlationId: 'c2', at: 2_070 },
    ];
    const rows = timelineRows(events, [new Map([['o1', 1_000]]), new Map([['o2', 2_000]])]);

    expect(rows).toEqual([
      { event: 'orders OrderPlaced', p50: [10, 20], p99: [10, 20], orders: [1, 1] },
      { event: 'sagas CommandIssued reserveStock', p50: [30, 70], p99: [30, 70], orders: [1, 1] },
    ]);
  });

  it("numbers an order's repeated events in the order they were recorded, and leaves out orders of no rate", () => {
    const events: TimelineEvent[] = [
      { context: 'inventory', type: 'StockReserved', correlationId: 'c1', at: 1_050 },
      placed('c1', 'o1', 1_005),
      { context: 'inventory', type: 'StockReserved', correlationId: 'c1', at: 1_040 },
      // the warm-up's order: no rate sent it
      placed('warm', 'o0', 500),
      { context: 'inventory', type: 'StockReserved', correlationId: 'warm', at: 510 },
    ];
    const rows = timelineRows(events, [new Map([['o1', 1_000]])]);

    expect(rows.map(({ event, p50 }) => [event, p50[0]])).toEqual([
      ['orders OrderPlaced', 5],
      ['inventory StockReserved', 40],
      ['inventory StockReserved #2', 50],
    ]);
  });

  it('gives the p50 and p99 of each rate, and no figure where a rate has none of an event', () => {
    const due = new Map<string, number>();
    const events: TimelineEvent[] = [];
    for (let i = 1; i <= 100; i++) {
      due.set(`o${i}`, 0);
      events.push(placed(`c${i}`, `o${i}`, i));
    }
    const rows = timelineRows(events, [due, new Map()]);

    expect(rows).toHaveLength(1);
    expect(rows[0]?.p50[0]).toBe(50);
    expect(rows[0]?.p99[0]).toBe(99);
    expect(rows[0]?.orders).toEqual([100, 0]);
    expect(rows[0]?.p50[1]).toBeNaN();
  });
});
