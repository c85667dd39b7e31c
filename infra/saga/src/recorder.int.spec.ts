import { createEventStore, type EventStore } from '@ordo/eventstore';
import { testScope } from '@ordo/testing';
import { checkout, cart } from '../test/checkout-saga';
import { commandIdFor, fixtureOf, replayHistory, sagaRunner, type CommandKind, type IncomingEvent, type SagaDecision } from '.';

// The runner's recorder on PostgreSQL: every input an instance decided on and appended, of each
// kind (trigger, reply, wake-up, operator), and nothing for an input that appended nothing.
const scope = testScope();
const START = Date.parse('2030-01-01T00:00:00.000Z');
const sagaId = 'checkout-cart-1';

describe('the saga runner with a recorder', () => {
  let store: EventStore;
  beforeAll(async () => {
    await scope.db();
    store = await createEventStore(scope.env.databaseUrl, { schema: scope.schema });
  });
  afterAll(() => store?.close());

  const event = (id: string, type: string, data: object, commandId?: string): IncomingEvent => ({
    id,
    type,
    data: { cartId: 'cart-1', ...data },
    metadata: { correlationId: 'corr-1', ...(commandId && { commandId }) },
  });
  const answer = (id: string, type: string, step: string, line: string | undefined, kind: CommandKind = 'action') =>
    event(id, type, line === undefined ? {} : { item: line }, commandIdFor(sagaId, step, line, kind));

  it('gives it every decision appended, the whole stream, which replays against the definition', async () => {
    let now = START;
    const recorded: SagaDecision[] = [];
    const runner = sagaRunner({ definition: checkout, store, clock: () => new Date(now), recorder: (decision) => recorded.push(decision) });
    const at = (ms: number) => (now = START + ms);

    const trigger = event('trigger-1', 'CartSubmitted', cart);
    const started = await runner.handle(trigger);
    await runner.handle(trigger);
    await runner.handle({ ...trigger, id: 'trigger-2' });
    const held = answer('reply-pen', 'ItemHeld', 'hold', 'pen');
    await runner.handle(held);
    await runner.handle(held);
    at(10_000); // the ink hold times out and is to go again
    await runner.wake(sagaId);
    await runner.wake(sagaId);
    at(10_500);
    await runner.wake(sagaId);
    await runner.operate('cart-1', { action: 'compensate', by: 'ops', reason: 'the warehouse is down' });
    await runner.handle(answer('release-pen', 'ItemReleased', 'hold', 'pen', 'compensation'));
    await runner.handle(answer('release-ink', 'ItemReleased', 'hold', 'ink', 'compensation'));
    await runner.handle(answer('reopened', 'CartReopened', 'cart', undefined, 'compensation'));
    await runner.handle(answer('reply-ink', 'ItemHeld', 'hold', 'ink'));

    expect(recorded.map(({ input }) => (input.type === 'HandleReply' ? input.reply.id : input.type))).toEqual([
      'StartSaga',
      'reply-pen',
      'Wake',
      'Wake',
      'Operate',
      'release-pen',
      'release-ink',
      'reopened',
      'reply-ink',
    ]);
    // The runner's own objects, not copies: recording costs the order path nothing.
    expect(started).toMatchObject({ result: 'started' });
    expect(recorded[0]?.decided).toBe('events' in started ? started.events : undefined);
    expect(recorded[0]?.input).toMatchObject({ type: 'StartSaga', trigger, now: new Date(START).toISOString() });
    expect(recorded[2]?.input).toMatchObject({ type: 'Wake', now: new Date(START + 10_000).toISOString() });
    expect(recorded[4]?.input).toMatchObject({ type: 'Operate', action: 'compensate', by: 'ops', reason: 'the warehouse is down' });
    expect(recorded.at(-1)?.decided).toMatchObject([{ type: 'ReplyIgnored', data: { why: 'late' } }]);

    const stream: { type: string; data: unknown }[] = [];
    for await (const { type, data } of store.readStream(sagaId)) stream.push({ type, data });
    expect(JSON.parse(JSON.stringify(recorded.flatMap(({ decided }) => decided)))).toEqual(stream);
    expect(stream.map(({ type }) => type)).toContain('SagaRolledBack');

    const fixture = fixtureOf(recorded, 'compensated by an operator, then a late reply');
    expect(fixture.history).toHaveLength(9);
    expect(replayHistory([checkout], fixture)).toBeUndefined();
  });
});
