import pg from 'pg';
import { createEventStore, eventIdFor } from '@ordo/eventstore';
import { testScope } from '@ordo/testing';
import { readTopics } from '../../test/topic-messages';
import { sqlCheckpointStore } from '../checkpoints';
import { HEADER } from '../headers';
import { MessageTooLargeError } from './messages';
import { startRelay } from './relay';

const scope = testScope();
const KIB = 1024;

const bigEvent = (stream: string, n: number, bytes: number) => ({
  id: eventIdFor(`${stream}-${n}`, 0),
  type: 'Stored',
  data: { n, blob: 'x'.repeat(bytes) },
  metadata: { correlationId: stream, causationId: 'test', schemaVersion: 1 },
});

describe('the relay with events of hundreds of KiB', () => {
  let pool: pg.Pool;
  beforeAll(async () => {
    await scope.db();
    pool = new pg.Pool({ connectionString: scope.env.databaseUrl, max: 2 });
  });
  afterAll(async () => pool.end());

  it('publishes 40 events of 200 KiB (8 MiB, one stream, so one partition) in order, in sends under the broker limit', async () => {
    const topic = await scope.createTopic('big', { numPartitions: 1 });
    const store = await createEventStore(scope.env.databaseUrl, { schema: scope.schema });
    for (let n = 0; n < 40; n += 1) await store.appendToStream('blob-1', [bigEvent('blob', n, 200 * KIB)], { expectedRevision: 'any' });
    const relay = await startRelay({
      name: 'big-relay',
      store,
      kafka: scope.kafka(),
      routing: (event) => [{ topic, key: event.stream }],
      checkpoints: sqlCheckpointStore(pool, { schema: scope.schema }),
    });
    const messages = await readTopics(scope.kafka(), [topic], (read) => read.length >= 40);
    expect(relay.status()).toMatchObject({ published: 40, waiting: 0 });
    await relay.stop();
    expect(messages.map((message) => (JSON.parse(message.value) as { data: { n: number } }).data.n)).toEqual(Array.from({ length: 40 }, (_, n) => n));
    expect(new Set(messages.map((message) => message.headers[HEADER.eventId])).size).toBe(40);
    await store.close();
  });

  it('stops with an error naming the event when one message alone is over its limit, after publishing what came before', async () => {
    const topic = await scope.createTopic('too-big', { numPartitions: 1 });
    const schema = `${scope.schema}_big`;
    const store = await createEventStore(scope.env.databaseUrl, { schema });
    await store.appendToStream('huge-1', [bigEvent('huge', 0, 10 * KIB), bigEvent('huge', 1, 300 * KIB), bigEvent('huge', 2, 10 * KIB)], {
      expectedRevision: 'any',
    });
    const relay = await startRelay({
      name: 'huge-relay',
      store,
      kafka: scope.kafka(),
      routing: (event) => [{ topic, key: event.stream }],
      checkpoints: sqlCheckpointStore(pool, { schema }),
      maxBatchBytes: 200 * KIB,
    });
    const failure = await relay.done.then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(MessageTooLargeError);
    expect((failure as MessageTooLargeError).message).toContain(eventIdFor('huge-1', 0));
    const messages = await readTopics(scope.kafka(), [topic], (read) => read.length >= 1);
    expect(messages.map((message) => message.headers[HEADER.eventId])).toEqual([eventIdFor('huge-0', 0)]);
    expect(relay.status().published).toBe(1);
    await store.close();
    await pool.query(`drop schema "${schema}" cascade`);
  });
});
