// A flash sale's hot stream, as its command consumer sees it: a backlog of commands on one
// key, each appending an event to the same stream through the command handler (a real
// PostgreSQL store, DATABASE_URL, and a real broker, KAFKA_BROKERS, else the local one,
// started and stopped here). The subject hands the key's waiting messages to the handler
// together (`handleTogether`: decided in turn, one append a run); the baseline is the same
// consumer without it, one message and one append after another. No target: it shows what
// handing together buys on one key, the limit a flash sale's sku ran into.
//
//   npm run bench -- hot-key
//   BENCH_EVENTS=5000  BENCH_ROUNDS=2
import { randomBytes } from 'node:crypto';
import { Partitioners } from 'kafkajs';
import pg from 'pg';
import { commandHandler, createEventStore, type EventStore } from '@ordo/eventstore';
import { alternate, benchKafka, best, describeRun, envNumber, msSince, now, printTable } from '@ordo/testing/bench';
import { runConsumer, type ConsumedMessage } from '../src';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const COMMANDS = envNumber('BENCH_EVENTS', 5_000);
const ROUNDS = Math.max(1, envNumber('BENCH_ROUNDS', 2));
const RUN = randomBytes(4).toString('hex');
const SCHEMA = `bench_hot_${RUN}`;

interface Take {
  commandId: string;
  n: number;
}
type Taken = { type: 'Taken'; data: { n: number } };
// A counter of units taken: the shape of a stock's reservations, without the domain.
const taken = {
  initialState: () => ({ count: 0 }),
  evolve: (state: { count: number }, event: Taken) => ({ count: state.count + (event.type === 'Taken' ? 1 : 0) }),
};
const decide = (n: number) => (): Taken[] => [{ type: 'Taken', data: { n } }];

const main = async () => {
  describeRun({ commands: COMMANDS, rounds: ROUNDS });
  const broker = await benchKafka(`bench-${RUN}`);
  const { kafka, admin } = broker;
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
  const topics: string[] = [];
  let store: EventStore | undefined;
  try {
    store = await createEventStore(DATABASE_URL, { schema: SCHEMA });
    const eventStore = store;
    console.log(`node ${process.version}; ${COMMANDS.toLocaleString('en-US')} commands on one key, each appending to one stream; ${ROUNDS} rounds each`);

    /** Fills a topic of its own with the commands, then times one consumer group draining it; commands/s. */
    const drain = (together: boolean) => async (round: number) => {
      const topic = `bench.${RUN}.hot.${together ? 'together' : 'alone'}.${round}`;
      topics.push(topic);
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      const commands: Take[] = Array.from({ length: COMMANDS }, (_, n) => ({ commandId: `${topic}-${n}`, n }));
      for (let from = 0; from < COMMANDS; from += 1_000)
        await producer.send({ topic, messages: commands.slice(from, from + 1_000).map((command) => ({ key: 'hot', value: JSON.stringify(command) })) });
      await producer.disconnect();

      const handler = commandHandler({ store: eventStore, aggregate: taken });
      const stream = `hot-${topic}`;
      let handled = 0;
      let lastN = -1;
      const inOrder = (n: number) => {
        if (n <= lastN) throw new Error(`command ${n} handled after ${lastN}`);
        lastN = n;
        handled += 1;
      };
      const metadata = (command: Take) => ({ commandId: command.commandId, correlationId: command.commandId });
      const started = now();
      const runner = await runConsumer<Take>({
        kafka,
        groupId: `bench-${RUN}-${together ? 'together' : 'alone'}-${round}`,
        topics: [topic],
        fromBeginning: true,
        concurrentSequences: 32,
        handle: async ({ value }: ConsumedMessage<Take>) => {
          await handler.handle(stream, metadata(value), decide(value.n));
          inOrder(value.n);
        },
        ...(together
          ? {
              handleTogether: async (messages: ConsumedMessage<Take>[]) => {
                await handler.handleTogether(
                  stream,
                  messages.map(({ value }) => ({ metadata: metadata(value), decide: decide(value.n) })),
                );
                for (const { value } of messages) inOrder(value.n);
              },
            }
          : {}),
      });
      try {
        const deadline = Date.now() + 600_000;
        while (handled < COMMANDS) {
          if (Date.now() > deadline) throw new Error(`timed out with ${handled} of ${COMMANDS} handled`);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        const seconds = msSince(started) / 1_000;
        const { state, revision } = await handler.read(stream);
        if (state.count !== COMMANDS || revision !== BigInt(COMMANDS - 1)) throw new Error(`the stream holds ${state.count} events, not ${COMMANDS}`);
        console.log(`  ${together ? 'together' : 'one by one'}, round ${round + 1}: ${(COMMANDS / seconds).toFixed(0)} commands/s`);
        return COMMANDS / seconds;
      } finally {
        await runner.stop();
      }
    };

    const rates = await alternate(ROUNDS, drain(false), drain(true));
    printTable('One hot key: handed together (subject) against one by one (baseline)', [
      {
        label: 'commands drained, each an event on one stream',
        unit: 'commands/s',
        value: best(rates.subject, (rate) => rate),
        baseline: best(rates.baseline, (rate) => rate),
      },
    ]);
  } finally {
    await store?.close().catch(() => undefined);
    await pool.query(`drop schema if exists "${SCHEMA}" cascade`).catch((error: unknown) => console.error(error));
    await pool.end();
    if (topics.length > 0) await admin.deleteTopics({ topics }).catch(() => undefined);
    await broker.close();
  }
};

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
