import { jest } from '@jest/globals';
import { kafkaRequestQueueClass } from './kafkajs-idle';

type Queue = InstanceType<ReturnType<typeof kafkaRequestQueueClass>> & {
  checkPendingRequests(): void;
  maybeThrottle(ms: number): void;
  push(request: { entry: object; expectResponse: boolean; sendRequest: () => void }): void;
  destroy(): void;
};

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const newQueue = (): Queue => {
  const RequestQueue = kafkaRequestQueueClass();
  return new RequestQueue({
    maxInFlightRequests: 1,
    requestTimeout: 30_000,
    enforceRequestTimeout: false,
    clientId: 'spec',
    broker: 'spec:9092',
    logger: silent,
  }) as Queue;
};
const request = (correlationId: number, sent: number[]) => ({
  entry: { correlationId, apiKey: 1, apiName: 'Fetch', apiVersion: 11, resolve: () => undefined, reject: () => undefined },
  expectResponse: true,
  sendRequest: () => void sent.push(correlationId),
});

describe("kafkajs's request queue, as Ordo loads it", () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('arms no timer once nothing is pending (kafkajs alone re-arms one every millisecond forever)', () => {
    const queue = newQueue();
    queue.checkPendingRequests(); // what an answer to a request does
    expect(queue.throttleCheckTimeoutId).toBeNull();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('still sends a request held back by a throttle once the throttle is over', () => {
    const queue = newQueue();
    const sent: number[] = [];
    queue.maybeThrottle(50);
    queue.push(request(1, sent));
    expect(sent).toEqual([]);
    jest.advanceTimersByTime(60);
    expect(sent).toEqual([1]);
    queue.destroy();
  });

  it('still sends a request waiting behind one in flight once that one is answered', () => {
    const queue = newQueue() as Queue & { fulfillRequest(response: { correlationId: number; payload: Buffer; size: number }): void };
    const sent: number[] = [];
    queue.push(request(1, sent));
    queue.push(request(2, sent));
    expect(sent).toEqual([1]);
    queue.fulfillRequest({ correlationId: 1, payload: Buffer.alloc(0), size: 0 });
    expect(sent).toEqual([1, 2]);
    queue.fulfillRequest({ correlationId: 2, payload: Buffer.alloc(0), size: 0 });
    jest.advanceTimersByTime(100);
    expect(jest.getTimerCount()).toBe(0);
    queue.destroy();
  });
});
