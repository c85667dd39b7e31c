// A relay as its own process, for the crash test: killed with SIGKILL, started again.
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { createEventStore } from '@ordo/eventstore';
import { contextRouting, sqlCheckpointStore, startRelay } from '../src';

const { DATABASE_URL = '', SCHEMA = '', KAFKA_BROKERS = '', CONTEXT = '' } = process.env;

const main = async () => {
  const store = await createEventStore(DATABASE_URL, { schema: SCHEMA });
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
  const relay = await startRelay({
    name: `relay-${CONTEXT}`,
    store,
    kafka: new Kafka({ clientId: `relay-${CONTEXT}`, brokers: KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING }),
    routing: contextRouting(CONTEXT),
    checkpoints: sqlCheckpointStore(pool, { schema: SCHEMA }),
    maxBatch: 100,
  });
  console.log('relay started');
  await relay.done;
};

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
