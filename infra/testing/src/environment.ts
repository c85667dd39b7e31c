/** Set by the global set-up once it has provided the dependencies; read by test files. */
export const PROVIDED_MARKER = 'ORDO_TEST_DEPENDENCIES';

export interface TestEnvironment {
  databaseUrl: string;
  kafkaBrokers: string[];
  /** Undefined when no EventStoreDB is reachable: its tests skip. */
  eventStoreDbUrl: string | undefined;
}

export const testEnvironment = (env: NodeJS.ProcessEnv = process.env): TestEnvironment => {
  const { DATABASE_URL, KAFKA_BROKERS, ESDB_URL } = env;
  if (!env[PROVIDED_MARKER] || !DATABASE_URL || !KAFKA_BROKERS) {
    throw new Error('test dependencies were not provided: run this file through an int or e2e jest project (npm test)');
  }
  return { databaseUrl: DATABASE_URL, kafkaBrokers: KAFKA_BROKERS.split(','), eventStoreDbUrl: ESDB_URL || undefined };
};
