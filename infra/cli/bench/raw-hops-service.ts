// One service of the raw hops (./raw-hops.ts), in a process of its own: a raw Kafka client
// (kafkajs or @platformatic/kafka) and pg, nothing of Ordo. For each batch of a hop's topic
// it runs one statement (the inbox rows and the effect's rows, in one implicit
// transaction), sends the next hop's messages with an idempotent producer (acks from all
// replicas), and then marks the offsets, committed every 200 ms, as Ordo's runner does.
// Told its hops by the parent; tells it when it is ready and when an order reached the
// confirming hop.
import type { Message } from '@platformatic/kafka';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import pg from 'pg';
import type { KafkaClientName } from '@ordo/messaging';

export interface RawHopsServiceConfig {
  service: string;
  /** The hops this service handles: index → topic. */
  hops: { index: number; topic: string; next?: string }[];
  /** The hop whose commit confirms an order (orders' confirmOrder). */
  confirmingHop: number;
  brokers: string[];
  databaseUrl: string;
  groupId: string;
  /** The Kafka client the service runs on, as a local mode service's KAFKA_CLIENT. */
  client: KafkaClientName;
}

export type RawHopsServiceMessage = { ready: string } | { confirmed: { id: string; at: number }[] };

const OFFSET_COMMIT_INTERVAL_MS = 200;

/** A hop's batch done: its messages' inbox rows and effects written, in one statement. */
type Handle = (hop: RawHopsServiceConfig['hops'][number], messages: { key: string; value: string }[]) => Promise<void>;

const serve = async (config: RawHopsServiceConfig) => {
  const { service, confirmingHop, databaseUrl } = config;
  const send = (message: RawHopsServiceMessage) => process.send?.(message);
  const schema = `raw_${service}`;
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  await pool.query(
    `create schema if not exists ${schema};
     create table if not exists ${schema}.inbox (consumer text, id text, primary key (consumer, id));
     create table if not exists ${schema}.effects (id text primary key, hop int not null, at bigint not null)`,
  );
  const handle: Handle = async (hop, messages) => {
    // A redelivered message finds its inbox row and has no effect a second time.
    await pool.query(
      `with fresh as (insert into ${schema}.inbox (consumer, id) select $1, unnest($2::text[]) on conflict do nothing returning id)
       insert into ${schema}.effects (id, hop, at) select id, $3, $4 from fresh
       on conflict (id) do update set hop = excluded.hop, at = excluded.at`,
      [`hop${hop.index}`, messages.map(({ key }) => key), hop.index, Date.now()],
    );
    if (hop.index === confirmingHop) {
      const at = Date.now();
      send({ confirmed: messages.map(({ key }) => ({ id: key, at })) });
    }
  };
  await (config.client === 'platformatic' ? onPlatformatic(config, handle) : onKafkajs(config, handle));
  send({ ready: service });
};

const onKafkajs = async ({ service, hops, brokers, groupId }: RawHopsServiceConfig, handle: Handle) => {
  const kafka = new Kafka({ clientId: `raw-${service}`, brokers, logLevel: logLevel.ERROR });
  // One producer a service, as each of Ordo's services has one relay.
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 500 });
  await consumer.connect();
  await consumer.subscribe({ topics: hops.map(({ topic }) => topic), fromBeginning: true });
  const hopOf = new Map(hops.map((hop) => [hop.topic, hop]));
  await consumer.run({
    // Every partition of the service at once (the saga's six hops have 18): the most a kafkajs
    // consumer overlaps, so that no batch waits for another's turn.
    partitionsConsumedConcurrently: 64,
    eachBatchAutoResolve: false,
    autoCommitInterval: OFFSET_COMMIT_INTERVAL_MS,
    eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary }) => {
      const hop = hopOf.get(batch.topic);
      const last = batch.messages.at(-1);
      if (!hop || !last) return;
      const messages = batch.messages.map(({ key, value }) => ({ key: String(key), value: String(value) }));
      await handle(hop, messages);
      if (hop.next) await producer.send({ topic: hop.next, acks: -1, messages });
      resolveOffset(last.offset);
      await commitOffsetsIfNecessary();
    },
  });
};

/** A partition's messages waiting, whether a batch of them is under way, and its offsets. */
interface PartitionWork {
  topic: string;
  partition: number;
  queue: Message[];
  running: boolean;
  /** The offset after the last message handled, and the last one committed. */
  next?: bigint;
  committed?: bigint;
}

/**
 * The same on @platformatic/kafka, whose consumer streams every partition's messages and
 * fetches on while they are handled: each partition's messages that arrived meanwhile go
 * as one batch, one batch of a partition at a time, and the offsets after them are
 * committed every 200 ms.
 */
const onPlatformatic = async ({ service, hops, brokers, groupId }: RawHopsServiceConfig, handle: Handle) => {
  const { compatibilityPartitioner, Consumer, Producer } = await import('@platformatic/kafka');
  const producer = new Producer({
    clientId: `raw-${service}`,
    bootstrapBrokers: brokers,
    idempotent: true,
    acks: -1,
    partitioner: compatibilityPartitioner,
    autocreateTopics: false,
  });
  // kafkajs's group timings and fetch wait, as Ordo's runner on this client sets them.
  const consumer = new Consumer({
    clientId: `raw-${service}`,
    bootstrapBrokers: brokers,
    groupId,
    sessionTimeout: 30_000,
    rebalanceTimeout: 60_000,
    heartbeatInterval: 3_000,
    maxWaitTime: 500,
  });
  const hopOf = new Map(hops.map((hop) => [hop.topic, hop]));
  const partitions = new Map<string, PartitionWork>();
  const drain = async (work: PartitionWork) => {
    const batch = work.queue.splice(0);
    const hop = hopOf.get(work.topic);
    const last = batch.at(-1);
    if (!hop || !last) return;
    const messages = batch.map(({ key, value }) => ({ key: key.toString(), value: value.toString() }));
    await handle(hop, messages);
    if (hop.next)
      await producer.send({ messages: messages.map(({ key, value }) => ({ topic: hop.next as string, key: Buffer.from(key), value: Buffer.from(value) })) });
    work.next = last.offset + 1n;
  };
  const run = (work: PartitionWork) => {
    if (work.running || work.queue.length === 0) return;
    work.running = true;
    // The next turn: the rest of the fetch's messages for this partition join the batch.
    setImmediate(
      () =>
        void drain(work)
          .catch(fatal)
          .finally(() => {
            work.running = false;
            run(work);
          }),
    );
  };
  const commit = async () => {
    const done = [...partitions.values()].flatMap((work) => (work.next !== undefined && work.next !== work.committed ? [{ work, offset: work.next }] : []));
    if (done.length === 0) return;
    await consumer.commit({ offsets: done.map(({ work, offset }) => ({ topic: work.topic, partition: work.partition, offset, leaderEpoch: -1 })) });
    for (const { work, offset } of done) work.committed = offset;
  };
  setInterval(() => void commit().catch(fatal), OFFSET_COMMIT_INTERVAL_MS).unref();
  const stream = await consumer.consume({ topics: hops.map(({ topic }) => topic), mode: 'committed', fallbackMode: 'earliest', autocommit: false });
  stream.on('error', fatal);
  stream.on('data', (message: Message) => {
    const key = `${message.topic}:${message.partition}`;
    let work = partitions.get(key);
    if (!work) partitions.set(key, (work = { topic: message.topic, partition: message.partition, queue: [], running: false }));
    work.queue.push(message);
    run(work);
  });
};

/** A bench fails on an error rather than measure what is left: the parent sees the exit. */
const fatal = (error: unknown) => {
  console.error(error);
  process.exit(1);
};

process.once('message', (config: RawHopsServiceConfig) => void serve(config).catch(fatal));
