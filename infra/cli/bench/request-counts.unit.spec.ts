import { requestsPerOrder } from './request-counts';

describe('requestsPerOrder', () => {
  const before = { kafka: { Produce: 10, Fetch: 40, Heartbeat: 3 }, sql: { begin: 5, commit: 5, 'select 1': 2 } };
  const after = {
    kafka: { Produce: 110, Fetch: 90, Heartbeat: 3, OffsetCommit: 20 },
    sql: { begin: 105, commit: 105, 'select 1': 2, 'insert into orders': 300 },
  };

  it('counts what a process sent between two readings, per order, and leaves out what it did not send again', () => {
    const counted = requestsPerOrder('orders', before, after, 100);
    expect(counted.kafka).toEqual({ Produce: 1, Fetch: 0.5, OffsetCommit: 0.2 });
    expect(counted.kafkaTotal).toBeCloseTo(1.7);
    expect(counted.sqlTotal).toBeCloseTo(5);
  });

  it('lists the statements sent most first, as many as asked for', () => {
    const counted = requestsPerOrder('orders', before, after, 100, 2);
    expect(counted.statements).toEqual([
      { text: 'insert into orders', perOrder: 3 },
      { text: 'begin', perOrder: 1 },
    ]);
  });

  it('counts from zero a request or statement the first reading had not seen', () => {
    const counted = requestsPerOrder('orders', { kafka: {}, sql: {} }, { kafka: { Metadata: 4 }, sql: {} }, 2);
    expect(counted.kafka).toEqual({ Metadata: 2 });
    expect(counted.sqlTotal).toBe(0);
  });
});
