// A consumer as its own process, for the crash test: killed with SIGKILL, started again.
// Each message is applied slowly as a row and a counter increment, so a kill lands in
// the middle of a batch and a second application of any message would show. On the Kafka
// client KAFKA_CLIENT names (kafkajs by default), into the tables named with TABLE_SUFFIX.
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { quoteIdentifier } from '@ordo/runtime';
import { inbox, kafkaClientNamed, pgPoolDatabase, type KafkaClientName } from '../src';

const { DATABASE_URL = '', SCHEMA = '', KAFKA_BROKERS = '', TOPIC = '', GROUP = '', DELAY_MS = '3', KAFKA_CLIENT = 'kafkajs', TABLE_SUFFIX = '' } = process.env;
const brokers = KAFKA_BROKERS.split(',');

const main = async () => {
  const schema = quoteIdentifier(SCHEMA);
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
  const database = pgPoolDatabase(pool);
  const client = kafkaClientNamed(KAFKA_CLIENT as KafkaClientName, {
    kafka: new Kafka({ clientId: GROUP, brokers, logLevel: logLevel.NOTHING }),
    brokers,
    clientId: GROUP,
  });
  await client.runConsumer<{ key: string; n: number }>({
    groupId: GROUP,
    topics: [TOPIC],
    inbox: inbox(database, { schema: SCHEMA }),
    handle: async ({ messageId, value }, { query }) => {
      if (!query) throw new Error('the crash test applies through the inbox');
      await sleep(Number(DELAY_MS));
      await query(`insert into ${schema}.applied${TABLE_SUFFIX} (message_id, key, n) values ($1, $2, $3)`, [messageId, value.key, value.n]);
      await query(`update ${schema}.counters${TABLE_SUFFIX} set n = n + 1 where key = $1`, [value.key]);
    },
  });
  console.log('consumer started');
};

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
