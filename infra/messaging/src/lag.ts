import type { Admin } from 'kafkajs';
import { Gauge, type Registry } from 'prom-client';

export interface PartitionLag {
  topic: string;
  partition: number;
  /** The group's committed offset; -1 when it has committed nothing yet. */
  committed: number;
  /** The partition's high watermark: the offset the next message will get. */
  end: number;
  /** Messages not yet consumed: end minus committed (all of them when nothing is committed). */
  lag: number;
}

/** How far a consumer group is behind, per topic and partition, from the broker's own offsets. */
export const consumerLag = async (admin: Admin, groupId: string, topics: string[]): Promise<PartitionLag[]> => {
  const committed = await admin.fetchOffsets({ groupId, topics });
  const lags: PartitionLag[] = [];
  for (const { topic, partitions } of committed) {
    const ends = await admin.fetchTopicOffsets(topic);
    for (const { partition, offset } of partitions) {
      const end = Number(ends.find((candidate) => candidate.partition === partition)?.high ?? 0);
      const start = Number(ends.find((candidate) => candidate.partition === partition)?.low ?? 0);
      const at = Number(offset);
      lags.push({ topic, partition, committed: at, end, lag: at < 0 ? end - start : Math.max(0, end - at) });
    }
  }
  return lags;
};

export const CONSUMER_LAG_METRIC = 'ordo_consumer_lag';

/**
 * `ordo_consumer_lag{group, topic, partition}`, computed when Prometheus scrapes, for the
 * groups in `groups` then (a caller may add to it later). The admin client must be
 * connected; the service closes it on shutdown. A group whose offsets cannot be read
 * (the broker away) is left out of that scrape and told to onError, so the service's
 * other metrics are still served.
 */
export const registerConsumerLag = (
  registry: Registry,
  admin: Admin,
  groups: { groupId: string; topics: string[] }[],
  onError: (error: unknown, groupId: string) => void = () => undefined,
): Gauge => {
  return new Gauge({
    name: CONSUMER_LAG_METRIC,
    help: 'Messages a consumer group has not consumed yet, per topic and partition',
    labelNames: ['group', 'topic', 'partition'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const { groupId, topics } of groups) {
        try {
          for (const { topic, partition, lag } of await consumerLag(admin, groupId, topics)) {
            this.set({ group: groupId, topic, partition: String(partition) }, lag);
          }
        } catch (error) {
          onError(error, groupId);
        }
      }
    },
  });
};
