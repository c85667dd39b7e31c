import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { createEventStore } from '@ordo/eventstore';
import { schemaOf } from '@ordo/host';
import { HEADER } from '@ordo/messaging';
import { eventually, testEnvironment } from '@ordo/testing';
import { dropServiceDatabases, provisionServiceDatabases } from '../src/databases';
import { shopService } from '../src/shop';
import { runOrdo } from './run-ordo';

// `ordo republish` against the real servers: the events of the sagas' store (in the
// database local mode gives it) reach ordo.sagas.events, read back with a consumer of the
// test's own, and the command a CommandIssued records is not sent to its command topic.

describe('ordo republish', () => {
  const env = testEnvironment();
  const sagas = shopService('sagas');
  const prefix = `t_rp_${randomBytes(3).toString('hex')}_`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ordo-republish-'));
  // A context of the test's own as the command's target: its topic is empty unless a copy is sent.
  const target = `rp-${randomBytes(3).toString('hex')}`;
  const commandTopic = `ordo.${target}.commands`;
  const kafka = new Kafka({ clientId: 'republish-spec', brokers: env.kafkaBrokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const orderId = randomUUID();
  const stream = `orderPlacement-${orderId}`;
  const ids: string[] = [randomUUID(), randomUUID()];
  const ordo = (args: string[], extra: Record<string, string> = {}) =>
    runOrdo(args, {
      DATABASE_URL: env.databaseUrl,
      KAFKA_BROKERS: env.kafkaBrokers.join(','),
      ORDO_DATABASE_PREFIX: prefix,
      ORDO_DATA_DIR: dataDir,
      ...extra,
    });

  beforeAll(async () => {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: commandTopic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
    const { databases } = await provisionServiceDatabases(env.databaseUrl, [sagas], prefix, dataDir);
    const store = await createEventStore(databases[0]?.url as string, { schema: schemaOf(sagas), ...sagas.store });
    try {
      const metadata = { correlationId: orderId, causationId: orderId, schemaVersion: 1 };
      const command = { type: 'ReserveStock', commandId: randomUUID(), data: { sku: 'MUG-001', quantity: 1 }, metadata };
      await store.appendToStream(
        stream,
        [
          { id: ids[0] as string, type: 'SagaStarted', data: { orderId }, metadata },
          {
            id: ids[1] as string,
            type: 'CommandIssued',
            data: { target, aggregateId: 'MUG-001', command, step: 'reserveStock', kind: 'action', at: new Date().toISOString() },
            metadata,
          },
        ],
        { expectedRevision: 'no_stream' },
      );
    } finally {
      await store.close();
    }
  });
  afterAll(async () => {
    await admin.deleteTopics({ topics: [commandTopic] }).catch(() => undefined);
    await admin.disconnect();
    await dropServiceDatabases(env.databaseUrl, [sagas], prefix);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("sends every event of the store to the context's event topic, as the relay does, and no command copy", async () => {
    const run = await ordo(['republish', 'sagas']);
    expect(run.stderr).toMatch(/^republish sagas: events 2, \d+\/s, done in .+\n$/);
    expect(run).toMatchObject({ code: 0, stdout: expect.stringMatching(/^republished 2 event\(s\) of sagas to ordo\.sagas\.events; last position \d+:\d+ /) });

    const received = new Map<string, { key: string; type: string }>();
    const consumer = kafka.consumer({ groupId: `republish-spec-${randomUUID()}` });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: 'ordo.sagas.events', fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          const id = message.headers?.[HEADER.eventId]?.toString();
          if (id && ids.includes(id))
            received.set(id, { key: message.key?.toString() ?? '', type: (JSON.parse(message.value?.toString() ?? '{}') as { type: string }).type });
        },
      });
      await eventually(async () => received.size === 2, 'both events on ordo.sagas.events');
    } finally {
      await consumer.disconnect();
    }
    expect([...received.values()]).toEqual(
      expect.arrayContaining([
        { key: stream, type: 'SagaStarted' },
        { key: stream, type: 'CommandIssued' },
      ]),
    );
    // Republish has returned: a copy would be on the topic by now.
    const [partition] = await admin.fetchTopicOffsets(commandTopic);
    expect(partition?.high).toBe('0');
  });

  it('goes on after the position it is given, and refuses one that is no position of the store', async () => {
    const first = await ordo(['republish', 'sagas']);
    const last = /last position (\S+)/.exec(first.stdout)?.[1] as string;
    expect(await ordo(['republish', 'sagas', '--from', last])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^republished 0 event\(s\) of sagas/) });

    const bad = await ordo(['republish', 'sagas', '--from', 'yesterday']);
    expect(bad).toMatchObject({ code: 1, stderr: expect.stringContaining("ordo: --from 'yesterday' is no position of sagas's store") });
  });
});
