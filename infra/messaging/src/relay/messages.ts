import type { IHeaders, Message } from 'kafkajs';
import type { PositionedEvent } from '@ordo/eventstore';
import { headersOf } from '../headers';
import { eventMessageValue, type Routing } from './routing';

/** An event read from the store with the Kafka messages it becomes, and their size. */
export interface PreparedEvent {
  event: PositionedEvent;
  messages: { topic: string; message: Message }[];
  bytes: number;
}

// What a record adds to its key, value and headers in Kafka's record batch format: its
// length, attributes, timestamp and offset deltas and the lengths as varints (at most 41
// bytes), and two length varints per header; rounded up, for headroom.
const RECORD_OVERHEAD_BYTES = 64;
const HEADER_OVERHEAD_BYTES = 16;

const headerBytes = (headers: IHeaders): number =>
  Object.entries(headers).reduce((sum, [name, value]) => sum + HEADER_OVERHEAD_BYTES + Buffer.byteLength(name) + Buffer.byteLength(String(value ?? '')), 0);

/** A message's size as the broker counts it against its limit (uncompressed), a little over rather than under. */
export const messageBytes = (message: { key: string; value: string; headers: IHeaders }): number =>
  RECORD_OVERHEAD_BYTES + Buffer.byteLength(message.key) + Buffer.byteLength(message.value) + headerBytes(message.headers);

/**
 * An event whose message alone is over the relay's byte limit: no send can carry it, so
 * the relay stops with this error instead of retrying for ever. Only a store that does
 * not check the size of what it appends can hold one.
 */
export class MessageTooLargeError extends Error {
  override name = 'MessageTooLargeError';
  constructor(
    readonly event: PositionedEvent,
    readonly topic: string,
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(
      `event ${event.id} (${event.type} in stream '${event.stream}', checkpoint ${event.checkpoint}) becomes a message of ${bytes} bytes ` +
        `on ${topic}, over the relay's limit of ${limit} bytes (maxBatchBytes): it cannot be published, and the relay stops here. ` +
        `The store should refuse events this large when they are appended.`,
    );
  }
}

/** Routes and serializes an event once, when it is read, so its size is known before it joins a batch. */
export const prepareEvent = (event: PositionedEvent, routing: Routing, maxBatchBytes: number): PreparedEvent => {
  const messages = routing(event).map((route) => {
    const value = route.value === undefined ? eventMessageValue(event) : JSON.stringify(route.value);
    const headers = headersOf(event, route.kind);
    const bytes = messageBytes({ key: route.key, value, headers });
    if (bytes > maxBatchBytes) throw new MessageTooLargeError(event, route.topic, bytes, maxBatchBytes);
    return { topic: route.topic, message: { key: route.key, value, headers }, bytes };
  });
  return { event, messages: messages.map(({ topic, message }) => ({ topic, message })), bytes: messages.reduce((sum, { bytes }) => sum + bytes, 0) };
};

/**
 * Takes from the front of the buffer what one send may carry: at most `maxBatch` events
 * and `maxBatchBytes` of messages, and always at least one event (each fits alone).
 */
export const takeBatch = (buffer: PreparedEvent[], maxBatch: number, maxBatchBytes: number): PreparedEvent[] => {
  let count = 0;
  let bytes = 0;
  for (const prepared of buffer) {
    if (count === maxBatch || (count > 0 && bytes + prepared.bytes > maxBatchBytes)) break;
    count += 1;
    bytes += prepared.bytes;
  }
  return buffer.splice(0, count);
};
