import { Partitioners } from 'kafkajs';
import { Registry } from 'prom-client';
import { testScope } from '@ordo/testing';
import { consumerLag, registerConsumerLag } from './lag';

const scope = testScope();

describe('consumer lag', () => {
  it('is the messages past the committed offset, per partition, as a function and as a metric', async () => {
    const topic = await scope.createTopic('lagging', { numPartitions: 2 });
    const producer = scope.kafka().producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({ topic, messages: Array.from({ length: 6 }, (_, i) => ({ partition: 0, value: `p0-${i}` })) });
    await producer.send({ topic, messages: Array.from({ length: 4 }, (_, i) => ({ partition: 1, value: `p1-${i}` })) });
    await producer.disconnect();

    const admin = scope.kafka().admin();
    await admin.connect();
    const groupId = scope.topic('lag-group');
    // The group has read two messages of partition 0 and none of partition 1.
    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '2' }] });

    const lags = await consumerLag(admin, groupId, [topic]);
    expect(lags.sort((a, b) => a.partition - b.partition)).toEqual([
      { topic, partition: 0, committed: 2, end: 6, lag: 4 },
      { topic, partition: 1, committed: -1, end: 4, lag: 4 },
    ]);

    const registry = new Registry();
    registerConsumerLag(registry, admin, [{ groupId, topics: [topic] }]);
    const exposition = await registry.metrics();
    expect(exposition).toContain(`ordo_consumer_lag{group="${groupId}",topic="${topic}",partition="0"} 4`);
    expect(exposition).toContain(`ordo_consumer_lag{group="${groupId}",topic="${topic}",partition="1"} 4`);
    await admin.disconnect();
  });
});
