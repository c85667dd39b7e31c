import type { Projection } from '@ordo/projections';
import { CliFailure } from './failure';
import { parseOffset, parseTime, planReplay, ReplayUsageError } from './replay-plan';

const ordersView: Projection = {
  name: 'orders-view',
  version: 1,
  topics: ['ordo.orders.events', 'ordo.sagas.events'],
  tables: [],
  apply: async () => undefined,
};

describe("ordo replay's flags", () => {
  it('reads topic:partition:offset, the offset kept as a decimal string of any size', () => {
    expect(parseOffset('ordo.orders.events:2:18446744073709551615')).toEqual({ topic: 'ordo.orders.events', partition: 2, offset: '18446744073709551615' });
    for (const bad of ['ordo.orders.events', 'ordo.orders.events:1', ':1:2', 'ordo.orders.events:-1:2', 'ordo.orders.events:1:x', 'a b:1:2'])
      expect(() => parseOffset(bad)).toThrow(ReplayUsageError);
  });

  it('reads an ISO 8601 date, a time only with its zone', () => {
    expect(parseTime('2026-01-31')).toEqual(new Date('2026-01-31T00:00:00Z'));
    expect(parseTime('2026-01-31T08:00:00+02:00')).toEqual(new Date('2026-01-31T06:00:00Z'));
    for (const bad of ['yesterday', '2026-01-31T08:00:00', '2026-13-01', '1767225600000']) expect(() => parseTime(bad)).toThrow(ReplayUsageError);
  });

  it('plans a rebuild from the default source, or a replay in place', () => {
    expect(planReplay('orders-view', {}, [ordersView], 'kafka')).toEqual({ kind: 'rebuild', projection: ordersView, source: 'kafka', dryRun: false });
    expect(planReplay('orders-view', { source: 'eventstore', dryRun: true }, [ordersView], 'kafka')).toMatchObject({ source: 'eventstore', dryRun: true });
    expect(planReplay('orders-view', { fromOffset: ['ordo.sagas.events:0:5'] }, [ordersView], 'kafka')).toEqual({
      kind: 'in-place',
      projection: ordersView,
      fromOffsets: [{ topic: 'ordo.sagas.events', partition: 0, offset: '5' }],
    });
  });

  it('refuses an unknown projection and a topic it does not read, naming what there is', () => {
    expect(() => planReplay('nope', {}, [ordersView], 'kafka')).toThrow(new CliFailure("no projection 'nope'; the projections are: orders-view"));
    expect(() => planReplay('orders-view', { fromOffset: ['ordo.payments.events:0:0'] }, [ordersView], 'kafka')).toThrow(
      new CliFailure('--from-offset names ordo.payments.events, which orders-view does not read; it reads ordo.orders.events, ordo.sagas.events'),
    );
  });
});
