import { ConfigResourceTypes, type Admin } from 'kafkajs';
import { testScope } from '@ordo/testing';
import { commandTopic, deadLetterTopic, describeProvisioning, eventTopic, provisionTopics, type TopicSpec } from './topics';

const scope = testScope();
// A context of this file's own, so the helpers' fixed names (ordo.<context>.events) stay isolated.
const context = `t-${scope.id.replace(/_/g, '-')}`;

describe('provisionTopics on the local broker', () => {
  const admins: Admin[] = [];
  // The scope deletes only the topics it created itself; these are provisioned here.
  const provisioned = new Set<string>();
  let admin: Admin;

  const connectedAdmin = async (clientId: string): Promise<Admin> => {
    const connected = scope.kafka(clientId).admin();
    await connected.connect();
    admins.push(connected);
    return connected;
  };

  const provision = (specs: TopicSpec[], using = admin): ReturnType<typeof provisionTopics> => {
    specs.forEach((topic) => provisioned.add(topic.name));
    return provisionTopics(using, specs);
  };

  const partitionsOf = async (topic: string): Promise<number | undefined> => {
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    return topics[0]?.partitions.length;
  };

  const configOf = async (topic: string, names: string[]): Promise<Record<string, string>> => {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: names }],
    });
    return Object.fromEntries((resources[0]?.configEntries ?? []).map((entry) => [entry.configName, entry.configValue]));
  };

  beforeAll(async () => {
    admin = await connectedAdmin(`${scope.id}-admin`);
  });

  afterAll(async () => {
    const exists = new Set(await admin.listTopics());
    const topics = [...provisioned].filter((topic) => exists.has(topic));
    if (topics.length > 0) await admin.deleteTopics({ topics });
    await Promise.all(admins.map((connected) => connected.disconnect()));
  });

  it('creates missing topics with the partitions, retention and config asked', async () => {
    const compacted: TopicSpec = {
      name: scope.topic('compacted'),
      partitions: 2,
      retentionMs: 86_400_000,
      config: { 'cleanup.policy': 'compact' },
    };
    const specs = [eventTopic(context, 3), commandTopic(context, 2), deadLetterTopic(context), compacted];

    const report = await provision(specs);

    expect(report).toEqual({ created: specs.map((topic) => topic.name), matching: [], mismatched: [] });
    expect(await partitionsOf(`ordo.${context}.events`)).toBe(3);
    expect(await partitionsOf(`ordo.${context}.commands`)).toBe(2);
    expect(await partitionsOf(`ordo.${context}.dlq`)).toBe(1);
    expect(await partitionsOf(compacted.name)).toBe(2);
    expect(await configOf(`ordo.${context}.events`, ['retention.ms'])).toEqual({ 'retention.ms': '-1' });
    expect(await configOf(`ordo.${context}.commands`, ['retention.ms'])).toEqual({ 'retention.ms': '604800000' });
    expect(await configOf(`ordo.${context}.dlq`, ['retention.ms'])).toEqual({ 'retention.ms': '-1' });
    expect(await configOf(compacted.name, ['retention.ms', 'cleanup.policy'])).toEqual({
      'retention.ms': '86400000',
      'cleanup.policy': 'compact',
    });
    expect(describeProvisioning(report)).toEqual(specs.map((topic) => `created topic ${topic.name}`));
  });

  it('reports topics that already match as matching on a second run and creates nothing', async () => {
    const specs = [
      eventTopic(`${context}-again`, 3),
      { name: scope.topic('again'), partitions: 1, retentionMs: 3_600_000, config: { 'cleanup.policy': 'compact' } },
    ];
    await provision(specs);

    const second = await provision(specs);

    expect(second).toEqual({ created: [], matching: specs.map((topic) => topic.name), mismatched: [] });
    expect(describeProvisioning(second)).toEqual([]);
  });

  it('reports each difference of an existing topic and leaves the topic as it was', async () => {
    const defaults = await scope.createTopic('defaults', { numPartitions: 3 });
    const deleting = await scope.createTopic('deleting', {
      numPartitions: 2,
      configEntries: [{ name: 'retention.ms', value: '86400000' }],
    });
    const alike = await scope.createTopic('alike', { numPartitions: 2, configEntries: [{ name: 'retention.ms', value: '-1' }] });

    const report = await provisionTopics(admin, [
      { name: defaults, partitions: 6, retentionMs: -1 },
      { name: deleting, partitions: 2, retentionMs: 86_400_000, config: { 'cleanup.policy': 'compact' } },
      { name: alike, partitions: 2, retentionMs: -1 },
    ]);

    expect(report).toEqual({
      created: [],
      matching: [alike],
      mismatched: [
        { topic: defaults, differences: ['partitions: 3 on the broker, 6 wanted', 'retention.ms: 604800000 on the broker, -1 wanted'] },
        { topic: deleting, differences: ['cleanup.policy: delete on the broker, compact wanted'] },
      ],
    });
    expect(await partitionsOf(defaults)).toBe(3);
    expect(await configOf(defaults, ['retention.ms'])).toEqual({ 'retention.ms': '604800000' });
    expect(await configOf(deleting, ['cleanup.policy'])).toEqual({ 'cleanup.policy': 'delete' });
    expect(describeProvisioning(report)).toEqual([
      `topic ${defaults} differs from its spec, left as it is: ` + 'partitions: 3 on the broker, 6 wanted; retention.ms: 604800000 on the broker, -1 wanted',
      `topic ${deleting} differs from its spec, left as it is: cleanup.policy: delete on the broker, compact wanted`,
    ]);
  });

  it('lets two services provision the same new topic at once: both succeed and it exists once', async () => {
    const [first, second] = await Promise.all([connectedAdmin(`${scope.id}-first`), connectedAdmin(`${scope.id}-second`)]);
    const contended: TopicSpec = { name: scope.topic('contended'), partitions: 4, retentionMs: -1 };

    const reports = await Promise.all([provision([contended], first), provision([contended], second)]);

    expect(reports.flatMap((report) => report.created)).toEqual([contended.name]);
    expect(reports.flatMap((report) => report.matching)).toEqual([contended.name]);
    expect(reports.flatMap((report) => report.mismatched)).toEqual([]);
    expect(await admin.listTopics()).toContain(contended.name);
    expect(await partitionsOf(contended.name)).toBe(4);
  });

  it('compares a topic that another service created after it looked, instead of using it as it is', async () => {
    // The other service wins the race between our listTopics and our createTopics.
    const raced = await scope.createTopic('raced', { numPartitions: 2 });
    const late: Admin = { ...admin, listTopics: async () => [] };

    const report = await provisionTopics(late, [{ name: raced, partitions: 4, retentionMs: 604_800_000 }]);

    expect(report).toEqual({
      created: [],
      matching: [],
      mismatched: [{ topic: raced, differences: ['partitions: 2 on the broker, 4 wanted'] }],
    });
    expect(await partitionsOf(raced)).toBe(2);
  });

  it('refuses contradictory specs before creating anything', async () => {
    const twice = scope.topic('twice');
    const both = scope.topic('both');

    const duplicated = [eventTopic(`${context}-x`, 1), { name: twice, partitions: 1, retentionMs: -1 }, { name: twice, partitions: 2, retentionMs: -1 }];
    await expect(provision(duplicated)).rejects.toThrow(`topic ${twice} is specified twice`);
    await expect(provision([{ name: both, partitions: 1, retentionMs: -1, config: { 'retention.ms': '1000' } }])).rejects.toThrow(
      `topic ${both}: give retention as retentionMs, not in config`,
    );
    const topics = await admin.listTopics();
    expect([`ordo.${context}-x.events`, twice, both].filter((topic) => topics.includes(topic))).toEqual([]);
  });
});
