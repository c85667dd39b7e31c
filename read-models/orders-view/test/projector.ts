// The orders view's projector alone, as a process the crash spec can SIGKILL: the live
// consumer of a read-model service (projectionConsumer on the Kafka bus), on the topics and
// schema given, until it is killed.
//
//   node --import tsx read-models/orders-view/test/projector.ts '{"name":…,"topics":[…],"schema":…}'
//   DATABASE_URL, KAFKA_BROKERS: the servers
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { kafkaBus } from '@ordo/messaging';
import { projectionConsumer } from '@ordo/projections';
import { pgPoolSql } from '@ordo/runtime';
import { ordersViewProjection } from '../src/projection';

interface ProjectorArguments {
  /** The projection's name, its consumer group's: one of the spec's run. */
  name: string;
  topics: string[];
  schema: string;
}

const main = async () => {
  const { name, topics, schema } = JSON.parse(process.argv[2] ?? '{}') as ProjectorArguments;
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 4 });
  const sql = pgPoolSql(pool);
  const kafka = new Kafka({ clientId: name, brokers: (process.env.KAFKA_BROKERS ?? '').split(','), logLevel: logLevel.NOTHING });
  const bus = kafkaBus({ kafka, sql, schema });
  await bus.consume(projectionConsumer({ ...ordersViewProjection, name, topics }, { sql, schema }));
  console.log('projecting');
};

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
