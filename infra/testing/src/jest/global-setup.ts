import { describeProvided, provideTestDependencies } from '../dependencies';
import { PROVIDED_MARKER } from '../environment';
import { registerTeardown } from './teardown-registry';

/**
 * Provides the servers before any test file of the int and e2e levels runs. Workers
 * are started afterwards, so the addresses reach them through process.env.
 */
export default async function globalSetup(): Promise<void> {
  // Several jest projects in one run share what the first one provided.
  if (process.env[PROVIDED_MARKER]) return;
  const deps = await provideTestDependencies();
  console.log(`\n${describeProvided(deps)}`);
  process.env.DATABASE_URL = deps.postgres.address;
  process.env.KAFKA_BROKERS = deps.kafka.address;
  if (deps.eventStoreDb.origin === 'unavailable') delete process.env.ESDB_URL;
  else process.env.ESDB_URL = deps.eventStoreDb.address;
  process.env[PROVIDED_MARKER] = JSON.stringify({ postgres: deps.postgres.origin, kafka: deps.kafka.origin, eventStoreDb: deps.eventStoreDb.origin });
  for (const dep of [deps.postgres, deps.kafka, deps.eventStoreDb]) {
    if ('stop' in dep && dep.stop) registerTeardown(dep.name, dep.stop);
  }
}
