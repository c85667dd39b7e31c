import { jest } from '@jest/globals';
import { CORRECTED_KAFKAJS, kafkajsVersion, kafkaRequestQueueClass, REQUEST_TIMEOUT_CHECK_MS } from './kafkajs-idle';

interface Entry {
  correlationId: number;
  apiKey: number;
  apiName: string;
  apiVersion: number;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}
type Queue = InstanceType<ReturnType<typeof kafkaRequestQueueClass>> & {
  checkPendingRequests(): void;
  maybeThrottle(ms: number): void;
  push(request: { entry: Entry; expectResponse: boolean; sendRequest: () => void }): void;
  fulfillRequest(response: { correlationId: number; payload: Buffer; size: number }): void;
};

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const newQueue = (options: { requestTimeout?: number; enforceRequestTimeout?: boolean; isConnected?: () => boolean } = {}): Queue => {
  const RequestQueue = kafkaRequestQueueClass();
  return new RequestQueue({
    maxInFlightRequests: 1,
    requestTimeout: 30_000,
    enforceRequestTimeout: false,
    clientId: 'spec',
    broker: 'spec:9092',
    logger: silent,
    ...options,
  }) as Queue;
};
const request = (correlationId: number, sent: number[], failed: Error[] = []) => ({
  entry: {
    correlationId,
    apiKey: 1,
    apiName: 'Fetch',
    apiVersion: 11,
    resolve: () => undefined,
    reject: (error: Error) => void failed.push(error),
  },
  expectResponse: true,
  sendRequest: () => void sent.push(correlationId),
});
const answer = (correlationId: number) => ({ correlationId, payload: Buffer.alloc(0), size: 0 });

describe("kafkajs's request queue, as Ordo loads it", () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('is the kafkajs the corrections were written for (another needs them checked again)', () => {
    expect(kafkajsVersion()).toBe(CORRECTED_KAFKAJS);
  });

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

  it('still sends a request waiting behind one in flight once that one is answered, then goes quiet', () => {
    const queue = newQueue();
    const sent: number[] = [];
    queue.push(request(1, sent));
    queue.push(request(2, sent));
    expect(sent).toEqual([1]);
    queue.fulfillRequest(answer(1));
    expect(sent).toEqual([1, 2]);
    queue.fulfillRequest(answer(2));
    jest.advanceTimersByTime(100);
    expect(jest.getTimerCount()).toBe(0);
    queue.destroy();
  });

  it('looks for timed-out requests once a second, not ten times, and still fails one past its timeout', () => {
    const isConnected = jest.fn(() => true);
    const queue = newQueue({ enforceRequestTimeout: true, isConnected });
    queue.scheduleRequestTimeoutCheck();
    const sent: number[] = [];
    const failed: Error[] = [];
    queue.push(request(1, sent, failed));
    jest.advanceTimersByTime(10 * REQUEST_TIMEOUT_CHECK_MS);
    expect(isConnected).toHaveBeenCalledTimes(10);
    expect(failed).toEqual([]);
    jest.advanceTimersByTime(30_000 - 10 * REQUEST_TIMEOUT_CHECK_MS + REQUEST_TIMEOUT_CHECK_MS);
    expect(failed.map((error) => error.name)).toEqual(['KafkaJSRequestTimeoutError']);
    queue.destroy();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('checks a short timeout at its own pace, and stops checking once the connection is gone', () => {
    let connected = true;
    const queue = newQueue({ requestTimeout: 200, enforceRequestTimeout: true, isConnected: () => connected });
    queue.scheduleRequestTimeoutCheck();
    const failed: Error[] = [];
    queue.push(request(1, [], failed));
    jest.advanceTimersByTime(400);
    expect(failed).toHaveLength(1);
    connected = false;
    jest.advanceTimersByTime(200);
    expect(jest.getTimerCount()).toBe(0);
  });
});
