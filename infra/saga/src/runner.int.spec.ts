import { randomUUID } from 'node:crypto';
import { createEventStore, WrongExpectedRevisionError, type EventStore, type RecordedEvent } from '@ordo/eventstore';
import { checkout, cart, type Checkout } from '../test/checkout-saga';
import { defineSaga, sagaRunner, UnregisteredSagaVersion, type CommandIssued, type IncomingEvent } from '.';

const clock = () => new Date('2030-01-01T00:00:00.000Z');

/** A store whose appends wait until `writers` appends were asked for: replies decided on one revision, made certain. */
const racing = (store: EventStore, writers: number) => {
  let appends = 0;
  let conflicts = 0;
  let release: () => void = () => undefined;
  const allDecided = new Promise<void>((resolve) => (release = resolve));
  const wrapped: EventStore = {
    readStream: (stream, options) => store.readStream(stream, options),
    appendToStream: async (stream, events, options) => {
      if (++appends >= writers) release();
      await allDecided;
      try {
        return await store.appendToStream(stream, events, options);
      } catch (error) {
        if (error instanceof WrongExpectedRevisionError) conflicts += 1;
        throw error;
      }
    },
    readAll: (options) => store.readAll(options),
    subscribeToAll: (options) => store.subscribeToAll(options),
    saveSnapshot: (stream, snapshot) => store.saveSnapshot(stream, snapshot),
    loadSnapshot: (stream) => store.loadSnapshot(stream),
    close: () => store.close(),
  };
  return { store: wrapped, conflicts: () => conflicts };
};

describe('sagaRunner on the PostgreSQL store (PGlite)', () => {
  // One store for the file (PGlite takes seconds to start); each test its own cart, so its own instance.
  let store: EventStore;
  let cartId = '';
  let sagaId = '';
  beforeAll(async () => {
    store = await createEventStore('pglite:memory', { schema: 'sagas' });
  });
  afterAll(() => store.close());
  beforeEach(() => {
    cartId = `cart-${randomUUID()}`;
    sagaId = `checkout-${cartId}`;
  });

  const submitted = (id = randomUUID()): IncomingEvent => ({
    id,
    type: 'CartSubmitted',
    data: { ...cart, cartId },
    metadata: { correlationId: 'corr-1', causationId: 'http-1' },
  });
  const history = async () => {
    const events: RecordedEvent[] = [];
    for await (const event of store.readStream(sagaId)) events.push(event);
    return events;
  };
  const issued = async () => (await history()).filter((event) => event.type === 'CommandIssued').map((event) => event.data as CommandIssued);
  const answer = async (line: string, type: string, data: object = {}): Promise<IncomingEvent> => {
    const command = (await issued()).find((each) => each.line === line && each.kind === 'action');
    if (!command) throw new Error(`no command for line ${line}`);
    return {
      id: randomUUID(),
      type,
      data: { cartId, item: line, ...data },
      metadata: { correlationId: 'corr-1', causationId: command.command.commandId, commandId: command.command.commandId },
    };
  };

  it('starts one instance however often its trigger comes', async () => {
    const runner = sagaRunner({ definition: checkout, store, clock });
    const trigger = submitted();
    expect(await runner.handle(trigger)).toMatchObject({ result: 'started', sagaId });
    expect(await runner.handle(trigger)).toEqual({ result: 'already-started', sagaId });
    expect(await runner.handle(submitted())).toEqual({ result: 'already-started', sagaId });
    const events = await history();
    expect(events.map((event) => event.type)).toEqual(['SagaStarted', 'CommandIssued', 'CommandIssued']);
    expect(events[1]?.metadata).toMatchObject({ correlationId: 'corr-1', causationId: trigger.id });
    expect((events[1]?.data as CommandIssued).command.metadata).toEqual({ correlationId: 'corr-1', causationId: trigger.id });
  });

  it('records two concurrent replies to one instance, the loser retrying at the new revision', async () => {
    await sagaRunner({ definition: checkout, store, clock }).handle(submitted());
    const race = racing(store, 2);
    const runner = sagaRunner({ definition: checkout, store: race.store, clock });
    const results = await Promise.all([runner.handle(await answer('pen', 'ItemHeld')), runner.handle(await answer('ink', 'ItemHeld'))]);
    expect(results.map((result) => result.result)).toEqual(['reacted', 'reacted']);
    expect(race.conflicts()).toBe(1);
    const types = (await history()).map((event) => event.type);
    expect(types.slice(3)).toEqual(['ReplyReceived', 'ReplyReceived', 'CommandIssued']);
    expect((await issued()).at(-1)?.command.type).toBe('Charge');
  });

  it('appends nothing for a redelivered reply, also when both copies race', async () => {
    const runner = sagaRunner({ definition: checkout, store, clock });
    await runner.handle(submitted());
    const held = await answer('pen', 'ItemHeld');
    expect(await runner.handle(held)).toMatchObject({ result: 'reacted' });
    const revision = (await runner.read(cartId)).revision;
    expect(await runner.handle(held)).toMatchObject({ result: 'ignored', sagaId });
    expect((await runner.read(cartId)).revision).toBe(revision);

    const ink = await answer('ink', 'ItemUnavailable', { reason: 'ink is sold out' });
    const racer = sagaRunner({ definition: checkout, store: racing(store, 2).store, clock });
    const results = await Promise.all([racer.handle(ink), racer.handle(ink)]);
    expect(results.map((result) => result.result).sort()).toEqual(['ignored', 'reacted']);
    const events = await history();
    expect(events.filter((event) => event.type === 'ReplyReceived')).toHaveLength(2);
    expect(events.filter((event) => event.type === 'SagaCompensating')).toHaveLength(1);
  });

  it('records a second answer to an answered command once, as ReplyIgnored, however often it is redelivered', async () => {
    const runner = sagaRunner({ definition: checkout, store, clock });
    await runner.handle(submitted());
    await runner.handle(await answer('pen', 'ItemHeld'));
    const second = await answer('pen', 'ItemUnavailable', { reason: 'pen is sold out' });
    expect(await runner.handle(second)).toMatchObject({ result: 'ignored', sagaId, recorded: true, why: expect.stringMatching(/^duplicate: /) });
    expect(await runner.handle(second)).toMatchObject({ result: 'ignored', sagaId, why: expect.stringMatching(/recorded already/) });
    const ignored = (await history()).filter((event) => event.type === 'ReplyIgnored');
    expect(ignored.map((event) => event.data)).toEqual([expect.objectContaining({ replyId: second.id, replyType: 'ItemUnavailable', why: 'duplicate' })]);
    expect((await runner.read(cartId)).state).toMatchObject({ status: 'running' });
  });

  it('ignores events that are no reply to an instance', async () => {
    const runner = sagaRunner({ definition: checkout, store, clock });
    await runner.handle(submitted());
    const held = await answer('pen', 'ItemHeld');
    expect(await runner.handle({ ...held, metadata: { correlationId: 'corr-1' } })).toMatchObject({ result: 'ignored' });
    expect(await runner.handle({ ...held, data: { cartId: 'cart-0' } })).toMatchObject({
      result: 'ignored',
      sagaId: 'checkout-cart-0',
      why: 'no such instance',
    });
    expect(await runner.handle({ ...held, type: 'ItemRestocked' })).toMatchObject({ result: 'ignored' });
    expect((await runner.read(cartId)).revision).toBe(2n);
  });

  it('decides a reply on the instance it remembers, without reading it again', async () => {
    let reads = 0;
    const counted: EventStore = {
      ...store,
      readStream: (stream, options) => {
        reads += 1;
        return store.readStream(stream, options);
      },
      appendToStream: (stream, events, options) => store.appendToStream(stream, events, options),
    };
    const runner = sagaRunner({ definition: checkout, store: counted, clock });
    await runner.handle(submitted());
    expect(await runner.handle(await answer('pen', 'ItemHeld'))).toMatchObject({ result: 'reacted' });
    expect(await runner.handle(await answer('ink', 'ItemHeld'))).toMatchObject({ result: 'reacted' });
    expect(reads).toBe(0);
    expect((await issued()).at(-1)?.command.type).toBe('Charge');
  });

  it('reads what another process appended when its memory of the instance is stale, and decides on that', async () => {
    const here = sagaRunner({ definition: checkout, store, clock });
    const elsewhere = sagaRunner({ definition: checkout, store, clock });
    await here.handle(submitted());
    expect(await elsewhere.handle(await answer('pen', 'ItemHeld'))).toMatchObject({ result: 'reacted' });
    // `here` remembers the instance before that reply: its append fails, it reads, and both holds count.
    expect(await here.handle(await answer('ink', 'ItemHeld'))).toMatchObject({ result: 'reacted' });
    expect((await issued()).at(-1)?.command.type).toBe('Charge');
    const types = (await history()).map((event) => event.type);
    expect(types.filter((type) => type === 'ReplyReceived')).toHaveLength(2);
  });

  it('ignores a reply another process recorded, though its stale memory awaits it', async () => {
    const here = sagaRunner({ definition: checkout, store, clock });
    const elsewhere = sagaRunner({ definition: checkout, store, clock });
    await here.handle(submitted());
    const held = await answer('pen', 'ItemHeld');
    expect(await elsewhere.handle(held)).toMatchObject({ result: 'reacted' });
    expect(await here.handle(held)).toMatchObject({ result: 'ignored', sagaId });
    expect((await history()).filter((event) => event.type === 'ReplyReceived')).toHaveLength(1);
  });

  describe('versions', () => {
    // Version 2 drops the charge: an instance's version decides whether it charges.
    const checkoutV2 = defineSaga({ ...checkout, version: 2, steps: checkout.steps.filter((each) => each.name !== 'charge') });
    // A store of their own: which instances are still running is the subject here.
    let fileStore: EventStore;
    beforeAll(async () => {
      fileStore = store;
      store = await createEventStore('pglite:memory', { schema: 'versions' });
    });
    afterAll(async () => {
      await store.close();
      store = fileStore;
    });
    const holdBoth = async (runner: ReturnType<typeof sagaRunner<Checkout>>, type: string) => {
      await runner.handle(await answer('pen', type, { reason: 'gone' }));
      await runner.handle(await answer('ink', type, { reason: 'gone' }));
    };

    it('finishes an instance on the version it started with, and starts new ones on the newest', async () => {
      await sagaRunner({ definition: checkout, store, clock }).handle(submitted());
      const both = sagaRunner({ definition: checkoutV2, earlierVersions: [checkout], store, clock });
      await holdBoth(both, 'ItemHeld');
      expect((await issued()).at(-1)?.command.type).toBe('Charge'); // version 1's next step

      cartId = `cart-${randomUUID()}`;
      sagaId = `checkout-${cartId}`;
      await both.handle(submitted());
      expect((await history())[0]?.data).toMatchObject({ version: 2 });
      await holdBoth(both, 'ItemHeld');
      expect((await issued()).at(-1)?.command.type).toBe('Ship'); // version 2 has no charge
    });

    it('refuses to start while an instance that has not ended runs on a version it does not register, and counts no instance that ended', async () => {
      const onlyV2 = sagaRunner({ definition: checkoutV2, store, clock });
      const refusal = await onlyV2.checkVersions().catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(UnregisteredSagaVersion);
      expect(String(refusal)).toContain('1 instance(s) not ended run on version(s) 1, which this service does not register (it has 2), e.g. checkout-cart-');

      // The version-1 instance of the test before ends: every hold refused, the cart reopened, rolled back.
      const v1 = sagaRunner({ definition: checkout, store, clock });
      await v1.handle(submitted());
      await holdBoth(v1, 'ItemUnavailable');
      const reopen = (await issued()).find((each) => each.command.type === 'ReopenCart');
      await v1.handle({
        id: randomUUID(),
        type: 'CartReopened',
        data: { cartId },
        metadata: { correlationId: 'corr-1', commandId: reopen?.command.commandId },
      });
      expect((await v1.read(cartId)).state.status).toBe('rolled-back');
      await expect(onlyV2.checkVersions()).rejects.toThrow('1 instance(s) not ended'); // the first test's, not this ended one

      await expect(sagaRunner({ definition: checkoutV2, earlierVersions: [checkout], store, clock }).checkVersions()).resolves.toBeUndefined();
    });
  });
});
