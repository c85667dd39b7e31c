import { PassThrough, Readable } from 'node:stream';
import type { AllStreamJSONRecordedEvent, AllStreamResolvedEvent, AllStreamSubscription, StreamingRead } from '@eventstore/db-client';
import { InvalidEventError } from '../errors';
import type { PositionedEvent, SubscribeOptions } from '../types';
import { toPositioned } from './mapping';
import { subscribe, type SubscriptionClient } from './subscription';

// A client without a server: $all ends at `end`, and the subscription is a stream the
// test writes the server's events into. The casts stand in for gRPC-backed streams,
// which cannot be built without a connection.
const fakeClient = (end?: bigint) => {
  const server = Object.assign(new PassThrough({ objectMode: true }), { unsubscribe: jest.fn(async () => undefined) });
  const client = {
    readAll: jest.fn(() => Readable.from(end === undefined ? [] : [at('order-0', end)]) as unknown as StreamingRead<AllStreamResolvedEvent>),
    subscribeToAll: jest.fn(() => server as unknown as AllStreamSubscription),
  } satisfies SubscriptionClient;
  return { client, server };
};

const at = (streamId: string, commit: bigint, type = 'OrderPlaced'): AllStreamResolvedEvent => {
  const event: AllStreamJSONRecordedEvent = {
    streamId,
    id: '6f1c2b1e-8a7b-4c41-9f55-3f0d1c2a9e10',
    isJson: true,
    revision: 0n,
    type,
    created: new Date(0),
    data: {},
    metadata: { correlationId: 'c', causationId: 'c', schemaVersion: 1 },
    position: { commit, prepare: commit },
  };
  return { event, commitPosition: commit };
};

const until = async (what: string, check: () => boolean) => {
  for (let tick = 0; tick < 500 && !check(); tick++) await new Promise((resolve) => setImmediate(resolve));
  if (!check()) throw new Error(`never saw ${what}`);
};

/** Subscribes, logging each event handled (`stream@commit`) and the moment it went live. */
const follow = (client: SubscriptionClient, options: Partial<SubscribeOptions> = {}, onEvent?: (event: PositionedEvent) => void) => {
  const log: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const subscription = subscribe(client, options.filter ?? {}, toPositioned, {
    ...options,
    onLive: () => log.push('live'),
    handler: async (event) => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      onEvent?.(event);
      await new Promise((resolve) => setImmediate(resolve));
      log.push(`${event.stream}@${event.position}`);
      inFlight--;
    },
  });
  return { subscription, log, maxInFlight: () => maxInFlight };
};

describe('subscribe', () => {
  it('hands events over one at a time and goes live after those the client had buffered before the caught-up point', async () => {
    // given three events buffered, and the server catching up while the first is handled
    const { client, server } = fakeClient(1000n);
    [at('order-1', 10n), at('order-1', 20n), at('order-1', 30n)].forEach((event) => server.write(event));
    let first = true;
    const { subscription, log, maxInFlight } = follow(client, {}, () => {
      if (first) server.emit('caughtUp');
      first = false;
    });
    // when a live event follows
    await until('the buffered events', () => log.length === 4);
    server.write(at('order-2', 2000n));
    await until('the live event', () => log.length === 5);
    // then
    expect(log).toEqual(['order-1@10', 'order-1@20', 'order-1@30', 'live', 'order-2@2000']);
    expect(subscription.isLive).toBe(true);
    expect(maxInFlight()).toBe(1);
    await subscription.stop();
  });

  it('goes live, on a server that never says it caught up, once it passes the end of $all as it was at the start', async () => {
    const { client, server } = fakeClient(20n);
    [at('order-1', 10n), at('order-1', 20n), at('order-1', 30n)].forEach((event) => server.write(event));
    const { subscription, log } = follow(client);
    await until('three events', () => log.length === 4);
    expect(log).toEqual(['order-1@10', 'order-1@20', 'live', 'order-1@30']);
    await subscription.stop();
  });

  it('is live at once when its checkpoint is the end of $all, and resumes after it', async () => {
    const { client } = fakeClient(50n);
    const { subscription, log } = follow(client, { from: '50:50' });
    await until('the subscription', () => client.subscribeToAll.mock.calls.length === 1);
    expect(log).toEqual(['live']);
    expect(client.subscribeToAll).toHaveBeenCalledWith(expect.objectContaining({ fromPosition: { commit: 50n, prepare: 50n } }));
    await subscription.stop();
  });

  it('hands over only what the filter asks for after the checkpoint: no system events, snapshots or other streams', async () => {
    const { client, server } = fakeClient(1000n);
    const { subscription, log } = follow(client, { from: '15:15', filter: { streamPrefixes: ['order-'] } });
    [at('order-1', 10n), at('$stats-1', 20n, '$statsCollected'), at('ordo-snapshot-order-1', 30n), at('stock-1', 40n), at('order-2', 50n)].forEach((event) =>
      server.write(event),
    );
    await until('order-2', () => log.includes('order-2@50'));
    expect(log).toEqual(['order-2@50']);
    expect(subscription.checkpoint).toBe('50:50');
    expect(client.subscribeToAll).toHaveBeenCalledWith(
      expect.objectContaining({ filter: expect.objectContaining({ filterOn: 'streamName', prefixes: ['order-'] }) }),
    );
    await subscription.stop();
  });

  it('stops on a failing handler: done rejects, the checkpoint is the last event handled, the server subscription is cancelled', async () => {
    const { client, server } = fakeClient(1000n);
    [at('order-1', 10n), at('order-1', 20n)].forEach((event) => server.write(event));
    const subscription = subscribe(client, {}, toPositioned, {
      handler: (event) => {
        if (event.position === 20n) throw new Error('poison');
      },
    });
    await expect(subscription.done).rejects.toThrow('poison');
    expect(subscription.checkpoint).toBe('10:10');
    expect(server.unsubscribe).toHaveBeenCalled();
  });

  it('rejects done when the server stream fails', async () => {
    const { client, server } = fakeClient(1000n);
    const { subscription } = follow(client);
    await until('the subscription', () => client.subscribeToAll.mock.calls.length === 1);
    server.destroy(new Error('unavailable'));
    await expect(subscription.done).rejects.toThrow('unavailable');
  });

  it('stops when asked: done resolves, the server subscription is cancelled, nothing more is handled', async () => {
    const { client, server } = fakeClient(1000n);
    server.write(at('order-1', 10n));
    const { subscription, log } = follow(client);
    await until('the first event', () => log.length === 1);
    await subscription.stop();
    await expect(subscription.done).resolves.toBeUndefined();
    expect(server.unsubscribe).toHaveBeenCalled();
    expect(server.destroyed).toBe(true);
    expect(log).toEqual(['order-1@10']);
  });

  it('refuses a checkpoint that is not its own at once', () => {
    const { client } = fakeClient();
    expect(() => subscribe(client, {}, toPositioned, { from: '12', handler: () => undefined })).toThrow(InvalidEventError);
    expect(client.subscribeToAll).not.toHaveBeenCalled();
  });
});
