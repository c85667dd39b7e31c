// `ordo republish <context>`: refills a context's event topic from its store, as its relay
// published it, for consumers and projections that read the topic from the beginning. Only
// the event topic: the commands a saga's CommandIssued records are not sent again, so no
// participant or saga is driven. Consumers dedupe by event id and projections by revision,
// so events already on the topic do no harm.
import { Command } from 'commander';
import { Kafka, logLevel, type Message, type Producer } from 'kafkajs';
import { createEventStore, type EventStore } from '@ordo/eventstore';
import { schemaOf, type ServiceDefinition } from '@ordo/host';
import { contextRouting, eventTopic, headersOf, provisionTopics, eventMessageValue } from '@ordo/messaging';
import { provisionServiceDatabases } from '../databases';
import { SHOP_TOPIC_PARTITIONS, shopServices } from '../shop';
import { CliFailure, describe } from './failure';
import { timeoutOption } from './options';
import { startProgress } from './progress';
import { brokersOf, databaseUrlOf, printableUrl, type Target } from './target';

const BATCH = 500;

export interface RepublishIo {
  target: () => Target;
  out: (line: string) => void;
}

const serviceNamed = (name: string): ServiceDefinition => {
  // Read models have no store to republish from.
  const contexts = shopServices.filter((service) => service.store);
  const found = contexts.find((service) => service.name === name);
  if (!found) throw new CliFailure(`no context '${name}'; the contexts are: ${contexts.map((service) => service.name).join(', ')}`);
  return found;
};

const connectKafka = async (target: Target, timeoutMs: number, context: string) => {
  const brokers = brokersOf(target);
  const kafka = new Kafka({
    clientId: 'ordo-cli',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: timeoutMs,
    requestTimeout: Math.max(timeoutMs, 30_000),
    retry: { retries: 2, initialRetryTime: 200 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    // Kept forever, as every event topic: provisioned here too, for a topic deleted to be refilled.
    await provisionTopics(admin, [eventTopic(context, SHOP_TOPIC_PARTITIONS)]);
  } catch (error) {
    throw new CliFailure(`cannot reach Kafka at ${brokers.join(',')}: ${describe(error)}; is the broker running (npm run kafka:start, or KAFKA_BROKERS)?`);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  return producer;
};

const openStore = async (target: Target, service: ServiceDefinition): Promise<EventStore> => {
  const adminUrl = databaseUrlOf(target);
  let url: string;
  try {
    // Idempotent: the service's own role and database, as the supervisor made them.
    const { databases } = await provisionServiceDatabases(adminUrl, [service], target.env.ORDO_DATABASE_PREFIX ?? '', target.dataDir);
    url = target.env.EVENTSTORE_URL || (databases[0]?.url as string);
  } catch (error) {
    throw new CliFailure(`cannot open ${service.name}'s database through PostgreSQL at ${printableUrl(adminUrl)}: ${describe(error)}`);
  }
  try {
    return await createEventStore(url, { schema: schemaOf(service), ...service.store });
  } catch (error) {
    throw new CliFailure(`cannot open ${service.name}'s event store at ${printableUrl(url)}: ${describe(error)}`);
  }
};

/** Reads the store from `from` and sends every event to the event topic; resolves to the count and the last position. */
const copy = async (store: EventStore, producer: Producer, context: string, from: string | undefined, onProgress: (events: number) => void) => {
  const topic = `ordo.${context}.events`;
  const routing = contextRouting(context);
  let batch: Message[] = [];
  let events = 0;
  let last: string | undefined;
  const send = async () => {
    if (batch.length === 0) return;
    await producer.send({ topic, acks: -1, messages: batch });
    events += batch.length;
    batch = [];
    onProgress(events);
  };
  const read = store.readAll({ ...(from === undefined ? {} : { from }), batchSize: BATCH })[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<Awaited<ReturnType<typeof read.next>>['value']>;
    try {
      next = await read.next();
    } catch (error) {
      if (events === 0 && batch.length === 0 && from !== undefined)
        throw new CliFailure(`--from '${from}' is no position of ${context}'s store: ${describe(error)}`);
      throw error;
    }
    if (next.done) break;
    const event = next.value;
    for (const route of routing(event).filter((candidate) => candidate.topic === topic)) {
      batch.push({ key: route.key, value: eventMessageValue(event), headers: headersOf(event) });
    }
    last = event.checkpoint;
    if (batch.length >= BATCH) await send();
  }
  await send();
  return { events, last };
};

export const republishCommand = (io: RepublishIo): Command =>
  new Command('republish')
    .description("refills a context's event topic (ordo.<context>.events) from its store, never its command copies; local mode only")
    .argument('<context>', `the context whose store is read: ${shopServices.map((service) => service.name).join(', ')}`)
    .option('--from <position>', 'start after this store position (a checkpoint, as a previous republish printed it); default: the beginning')
    .addOption(timeoutOption('how long to wait for a Kafka broker to connect', 10_000))
    .action(async (context: string, options: { from?: string; timeout: number }) => {
      const target = io.target();
      if (target.mode === 'embedded')
        throw new CliFailure(
          'republish refills a Kafka topic, and embedded mode has no Kafka: its consumers read the stores themselves (ordo replay rebuilds a projection from them); use --mode local',
        );
      const service = serviceNamed(context);
      const topic = `ordo.${service.name}.events`;
      const producer = await connectKafka(target, options.timeout, service.name);
      try {
        const store = await openStore(target, service);
        try {
          const progress = startProgress(`republish ${service.name}`);
          const { events, last } = await copy(store, producer, service.name, options.from, (count) => progress.update(count)).finally(() => progress.stop());
          io.out(`republished ${events} event(s) of ${service.name} to ${topic}${last ? `; last position ${last} (--from ${last} goes on from there)` : ''}`);
        } finally {
          await store.close();
        }
      } finally {
        await producer.disconnect();
      }
    });
