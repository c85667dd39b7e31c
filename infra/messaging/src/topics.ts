import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigResourceTypes, KafkaJSProtocolError, type Admin } from 'kafkajs';

export interface TopicSpec {
  name: string;
  partitions: number;
  /** -1 keeps records forever */
  retentionMs: number;
  /** Further topic configs as the broker names them (`cleanup.policy`, ...), not retention. */
  config?: Record<string, string>;
}

export interface ProvisionReport {
  created: string[];
  matching: string[];
  mismatched: { topic: string; differences: string[] }[];
}

// ---- Naming (docs/architecture.md "Contracts": ordo.<context>.events, ordo.<context>.commands)

const FOREVER = -1;
const SEVEN_DAYS_MS = 7 * 24 * 60 * 60 * 1000;
// '.' separates the parts of a topic name, and Kafka's metric names confuse '.' with '_',
// so a context or consumer name keeps to lowercase letters, digits and '-'.
const NAME = /^[a-z0-9-]+$/;

const checked = (kind: string, name: string): string => {
  if (!NAME.test(name)) throw new Error(`invalid ${kind} name "${name}": use lowercase letters, digits and '-'`);
  return name;
};

const spec = (name: string, partitions: number, retentionMs: number): TopicSpec => {
  const positive = (value: number): boolean => Number.isInteger(value) && value > 0;
  if (!positive(partitions)) throw new Error(`topic ${name}: partitions must be a positive integer, got ${partitions}`);
  if (!positive(retentionMs) && retentionMs !== FOREVER) {
    throw new Error(`topic ${name}: retentionMs must be a positive integer or -1 (forever), got ${retentionMs}`);
  }
  return { name, partitions, retentionMs };
};

/** Event topics are the replay source (docs/architecture.md "The stream is the outbox"), so they keep every record. */
export const eventTopic = (context: string, partitions: number): TopicSpec => spec(`ordo.${checked('context', context)}.events`, partitions, FOREVER);

/**
 * A command topic is only transport: the command stays in the sender's stream, and one
 * older than a week has long missed its saga deadline.
 */
export const commandTopic = (context: string, partitions: number, retentionMs = SEVEN_DAYS_MS): TopicSpec =>
  spec(`ordo.${checked('context', context)}.commands`, partitions, retentionMs);

/**
 * One partition: parked messages are few and wait for an operator, and a single log keeps
 * them in the order they were parked, so a key is redriven in order without any routing.
 * Kept forever, since a parked command may outlive its command topic's retention.
 */
export const deadLetterTopic = (consumer: string): TopicSpec => spec(`ordo.${checked('consumer', consumer)}.dlq`, 1, FOREVER);

// ---- Provisioning

const wantedConfig = (topic: TopicSpec): Record<string, string> => ({ ...topic.config, 'retention.ms': String(topic.retentionMs) });

// Mistakes in the specs fail before anything reaches the broker.
const validate = (specs: TopicSpec[]): void => {
  const duplicate = specs.find((topic, index) => specs.findIndex((other) => other.name === topic.name) !== index);
  if (duplicate) throw new Error(`topic ${duplicate.name} is specified twice`);
  const both = specs.find((topic) => topic.config && 'retention.ms' in topic.config);
  if (both) throw new Error(`topic ${both.name}: give retention as retentionMs, not in config`);
};

/**
 * Creates the missing topics and compares the existing ones with their spec. It never
 * alters a topic: more partitions would move keys (breaking per-key order), shorter
 * retention would delete the replay source, so an existing topic with other settings is
 * reported, not silently used or changed; the caller decides whether to start.
 * `replicationFactor` defaults to 1 for the local single-node broker; production sets it.
 */
export const provisionTopics = async (
  admin: Admin,
  specs: TopicSpec[],
  { replicationFactor = 1 }: { replicationFactor?: number } = {},
): Promise<ProvisionReport> => {
  validate(specs);
  // listTopics, not fetchTopicMetadata: the latter throws for a missing topic, the same
  // UNKNOWN_TOPIC_OR_PARTITION a topic still being created gives.
  const existing = new Set(await admin.listTopics());
  // One topic a call: kafkajs answers `false` (instead of throwing) when every topic of a
  // call already existed, which is how we learn that a service starting beside us won the
  // race. Its waitForLeaders gives up on the UNKNOWN_TOPIC_OR_PARTITION a KRaft broker
  // answers until it has applied the new topic, so we wait for leaders ourselves below.
  const created = await Promise.all(
    specs.map(async (topic) => {
      if (existing.has(topic.name)) return false;
      const configEntries = Object.entries(wantedConfig(topic)).map(([name, value]) => ({ name, value }));
      const config = { topic: topic.name, numPartitions: topic.partitions, replicationFactor, configEntries };
      return admin.createTopics({ waitForLeaders: false, topics: [config] });
    }),
  );

  // Comparing every topic is also the wait: metadata without errors means every partition has a leader.
  const compared = await whileUnknown(() => compare(admin, specs));
  const report: ProvisionReport = { created: [], matching: [], mismatched: [] };
  compared.forEach(({ topic, differences }, index) => {
    if (created[index]) report.created.push(topic);
    else if (differences.length === 0) report.matching.push(topic);
    else report.mismatched.push({ topic, differences });
  });
  return report;
};

const compare = async (admin: Admin, specs: TopicSpec[]): Promise<{ topic: string; differences: string[] }[]> => {
  if (specs.length === 0) return []; // kafkajs refuses an empty describeConfigs
  const [{ topics }, { resources }] = await Promise.all([
    admin.fetchTopicMetadata({ topics: specs.map((topic) => topic.name) }),
    // Every config of each topic, defaults included, so a key the topic never set still compares.
    admin.describeConfigs({ includeSynonyms: false, resources: specs.map(({ name }) => ({ type: ConfigResourceTypes.TOPIC, name })) }),
  ]);
  return specs.map((topic) => {
    const differences: string[] = [];
    const partitions = topics.find((found) => found.name === topic.name)?.partitions.length ?? 0;
    if (partitions !== topic.partitions) differences.push(`partitions: ${partitions} on the broker, ${topic.partitions} wanted`);
    const entries = resources.find((resource) => resource.resourceName === topic.name)?.configEntries ?? [];
    for (const [key, wanted] of Object.entries(wantedConfig(topic))) {
      const actual = entries.find((entry) => entry.configName === key)?.configValue;
      if (actual !== wanted) differences.push(`${key}: ${actual ?? 'not set'} on the broker, ${wanted} wanted`);
    }
    return { topic: topic.name, differences };
  });
};

// A topic just created, by us or by a service beside us, is unknown for a moment to a
// KRaft broker (it learns of topics after the controller), so the comparison is retried.
const whileUnknown = <T>(read: () => Promise<T>, attemptsLeft = 50): Promise<T> =>
  read().catch(async (error: unknown) => {
    const unknown = error instanceof KafkaJSProtocolError && error.type === 'UNKNOWN_TOPIC_OR_PARTITION';
    if (!unknown || attemptsLeft <= 1) throw error;
    await sleep(100);
    return whileUnknown(read, attemptsLeft - 1);
  });

/** One line per created or mismatched topic, for the service's log. */
export const describeProvisioning = (report: ProvisionReport): string[] => [
  ...report.created.map((topic) => `created topic ${topic}`),
  ...report.mismatched.map(({ topic, differences }) => `topic ${topic} differs from its spec, left as it is: ${differences.join('; ')}`),
];
