// Reads what a relay published, as it lies in the topic: for the relay's own tests.
import type { Kafka, KafkaMessage } from 'kafkajs';
import pg from 'pg';
import { pgPoolSql, type SqlSession } from '@ordo/runtime';
import { eventually } from '@ordo/testing';
import { readHeaders } from '../src/headers';

export interface TopicMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string;
  headers: Record<string, string>;
  value: string;
}

const toTopicMessage = (topic: string, partition: number, message: KafkaMessage): TopicMessage => ({
  topic,
  partition,
  offset: message.offset,
  key: message.key?.toString('utf8') ?? '',
  headers: readHeaders(message.headers),
  value: message.value?.toString('utf8') ?? '',
});

/** Every message of the topics from their start, once `enough` says so (or the patience runs out and the test fails). */
export const readTopics = async (kafka: Kafka, topics: string[], enough: (messages: TopicMessage[]) => boolean): Promise<TopicMessage[]> => {
  const consumer = kafka.consumer({ groupId: `reader-${topics.join('-')}-${Date.now()}`, maxBytesPerPartition: 10 * 1024 * 1024 });
  const messages: TopicMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        messages.push(toTopicMessage(topic, partition, message));
      },
    });
    await eventually(() => enough(messages), `enough messages in ${topics.join(', ')}`, { timeoutMs: 90_000, intervalMs: 100 });
  } finally {
    await consumer.disconnect();
  }
  return messages;
};

/** How many messages the topic holds, from its partitions' end offsets. */
export const messagesIn = async (kafka: Kafka, topic: string): Promise<number> => {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((sum, partition) => sum + Number(partition.high), 0);
  } finally {
    await admin.disconnect();
  }
};

/** A pool's session opener, as the Kafka bus gives one to its relay's lock. */
export const sessionsOf = (pool: pg.Pool): (() => Promise<SqlSession>) => {
  const sql = pgPoolSql(pool);
  if (!sql.session) throw new Error('a pool always opens sessions');
  return sql.session.bind(sql);
};

/** A checkpoint as the pair it orders by. */
export const checkpointPair = (checkpoint: string): [bigint, bigint] => {
  const [major = '', minor = ''] = checkpoint.split(':');
  return [BigInt(major), BigInt(minor)];
};

export const checkpointBefore = (a: string, b: string): boolean => {
  const [a1, a2] = checkpointPair(a);
  const [b1, b2] = checkpointPair(b);
  return a1 < b1 || (a1 === b1 && a2 < b2);
};
