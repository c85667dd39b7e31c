// The five-step flow's hops on a raw Kafka client and pg, with nothing of Ordo in them: the saga
// bench's baseline for local mode (BENCH_MODES=raw). An order is a message passed along
// the hops the five-step flow takes between its services, each hop a service consuming
// one topic and sending to the next, as local mode's services do through their relays:
//
//   POST (here: orders' insert, then hop 0's message) → saga → inventory → saga → payments
//   → saga → shipping → saga → orders (confirmed) → saga → payments → saga
//
// It does less than Ordo does, so local mode is not to be expected to carry more here:
// one message a hop (the flow reserves each line's stock with a message of its own), no
// HTTP, no events read back by a relay, no read models, no saga state. It keeps Ordo's
// guarantees: an idempotent producer with acks from all replicas, the inbox in the
// effect's transaction, offsets committed after it.
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import pg from 'pg';
import type { KafkaClientName } from '@ordo/messaging';
import type { RawHopsServiceConfig, RawHopsServiceMessage } from './raw-hops-service';

/** Who handles each hop, in the order an order takes them. */
const RAW_HOPS = ['saga', 'inventory', 'saga', 'payments', 'saga', 'shipping', 'saga', 'orders', 'saga', 'payments', 'saga'] as const;
/** Orders' hop, whose commit is the order confirmed (OrderConfirmed in local mode). */
const CONFIRMING_HOP = 7;

export interface RawHops {
  /** Each service's process. */
  services: { pid: number; name: string }[];
  /** Places an order: orders' insert, then hop 0's message, sent as a relay sends. Answers its id. */
  place(): Promise<string>;
  /** When each order placed so far was confirmed: id → ms since the epoch. */
  confirmations: Map<string, number>;
  stop(): Promise<void>;
}

export const startRawHops = async ({
  brokers,
  databaseUrl,
  partitions,
  run,
  client,
}: {
  brokers: string[];
  databaseUrl: string;
  partitions: number;
  /** Names this run's topics and consumer groups. */
  run: string;
  /** The Kafka client the services consume and send with (the generator's is kafkajs). */
  client: KafkaClientName;
}): Promise<RawHops> => {
  const topicOf = (index: number) => `raw-hops.${run}.hop${index}`;
  const kafka = new Kafka({ clientId: 'raw-hops', brokers, logLevel: logLevel.ERROR });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: RAW_HOPS.map((_, index) => ({ topic: topicOf(index), numPartitions: partitions, replicationFactor: 1 })),
    waitForLeaders: true,
  });
  await admin.disconnect();

  // Orders' side first: a failure here leaves no service process behind.
  const orders = new pg.Pool({ connectionString: databaseUrl, max: 8 });
  await orders.query(
    'create schema if not exists raw_orders; create table if not exists raw_orders.placed (id text primary key, placed_at timestamptz not null)',
  );
  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const confirmations = new Map<string, number>();
  const children: ChildProcess[] = [];
  const services = [...new Set(RAW_HOPS)];
  for (const service of services) {
    const config: RawHopsServiceConfig = {
      service,
      hops: RAW_HOPS.flatMap((owner, index) =>
        owner === service ? [{ index, topic: topicOf(index), ...(index + 1 < RAW_HOPS.length && { next: topicOf(index + 1) }) }] : [],
      ),
      confirmingHop: CONFIRMING_HOP,
      brokers,
      databaseUrl,
      groupId: `raw-hops-${run}-${service}`,
      client,
    };
    // The bench runs under tsx, whose loader the child inherits through execArgv.
    const child = fork(path.join(__dirname, 'raw-hops-service.ts'), [], { execArgv: process.execArgv });
    children.push(child);
    // A service that fails to start leaves none of the others running.
    await new Promise<void>((ready, failed) => {
      child.once('exit', (code) => failed(new Error(`raw hops: ${service} exited (${code}) before it was ready`)));
      child.on('message', (message: RawHopsServiceMessage) => {
        if ('ready' in message) ready();
        else for (const { id, at } of message.confirmed) confirmations.set(id, at);
      });
      child.send(config);
    }).catch((error: unknown) => {
      for (const started of children) started.kill();
      throw error;
    });
    child.removeAllListeners('exit');
  }

  // Orders' relay: what was placed while a send was under way goes in the next, one at a time.
  const unsent: { id: string; sent: () => void; failed: (error: unknown) => void }[] = [];
  let sending = false;
  const relay = async () => {
    if (sending || unsent.length === 0) return;
    sending = true;
    const batch = unsent.splice(0);
    try {
      await producer.send({ topic: topicOf(0), acks: -1, messages: batch.map(({ id }) => ({ key: id, value: id })) });
      for (const { sent } of batch) sent();
    } catch (error) {
      for (const { failed } of batch) failed(error);
    } finally {
      sending = false;
      void relay();
    }
  };
  let placed = 0;
  return {
    services: children.map((child, index) => ({ pid: child.pid as number, name: `raw ${services[index]}` })),
    place: async () => {
      const id = `${run}-${placed++}`;
      await orders.query('insert into raw_orders.placed (id, placed_at) values ($1, now())', [id]);
      await new Promise<void>((sent, failed) => {
        unsent.push({ id, sent, failed });
        void relay();
      });
      return id;
    },
    confirmations,
    stop: async () => {
      await producer.disconnect();
      await orders.end();
      for (const child of children) child.kill();
    },
  };
};
