import type { Message } from 'kafkajs';
import { testScope } from '@ordo/testing';
import type { Projection } from '../definition';
import type { ProjectionMessage } from '../events';
import { kafkaFeed } from './kafka';

// The Kafka feed reads its partitions in step, in time: a topic of small events, whose
// fetches reach much further in time, is held back until the other has caught up, and is
// then read on from where it stopped, every message once and in order.
const scope = testScope();

const SMALL = 12_000; // 10 ms apart: 120 s of events, about 100 bytes each
const LARGE = 1_200; // 100 ms apart: the same 120 s, 4 KB each, so a fetch (1 MB) reaches a quarter as far in time

describe('the Kafka feed', () => {
  it('hands over its partitions in step in time, each message once and in order', async () => {
    const small = await scope.createTopic('small', { numPartitions: 1 });
    const large = await scope.createTopic('large', { numPartitions: 1 });
    const start = Date.now() - 600_000;
    const producer = scope.kafka().producer();
    await producer.connect();
    const messages = (count: number, stepMs: number, bytes: number): Message[] =>
      Array.from({ length: count }, (_, index) => ({ value: `${index} ${'x'.repeat(bytes)}`, timestamp: String(start + index * stepMs) }));
    const smallMessages = messages(SMALL, 10, 100);
    const largeMessages = messages(LARGE, 100, 4_000);
    try {
      for (let first = 0; first < SMALL; first += 4_000) await producer.send({ topic: small, messages: smallMessages.slice(first, first + 4_000) });
      for (let first = 0; first < LARGE; first += 200) await producer.send({ topic: large, messages: largeMessages.slice(first, first + 200) });
    } finally {
      await producer.disconnect();
    }

    const session = await kafkaFeed({ kafka: scope.kafka(), stepBound: 1_000 }).open({ name: 'in-step', topics: [small, large] } as unknown as Projection);
    const handed: ProjectionMessage[] = [];
    /** Per batch handed over while both topics had more to come: how far apart in time the two topics had got. */
    const gapsMs: number[] = [];
    const lastTime = { [small]: start + (SMALL - 1) * 10, [large]: start + (LARGE - 1) * 100 };
    const reachedTime = { [small]: -Infinity, [large]: -Infinity };
    try {
      await session.readToEnd(async (batch) => {
        for (const message of batch) {
          handed.push(message);
          reachedTime[message.topic] = start + Number(String(message.value).split(' ')[0]) * (message.topic === small ? 10 : 100);
        }
        if (reachedTime[small]! < lastTime[small]! && reachedTime[large]! < lastTime[large]!) gapsMs.push(Math.abs(reachedTime[small]! - reachedTime[large]!));
      });
    } finally {
      await session.close();
    }

    for (const topic of [small, large]) {
      const offsets = handed.filter((message) => message.topic === topic).map((message) => Number(message.offset));
      expect(offsets).toEqual(Array.from({ length: topic === small ? SMALL : LARGE }, (_, index) => index));
    }
    // Read as fetched, the small topic's first fetch alone would be tens of seconds ahead.
    expect(gapsMs.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...gapsMs)).toBeLessThanOrEqual(100);
  });
});
