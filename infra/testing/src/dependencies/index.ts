import { dockerEngineAnswers } from './docker';
import { eventStoreDbSource } from './eventstoredb';
import { kafkaSource } from './kafka';
import { postgresSource } from './postgres';
import { provide, type Provided, type Unavailable } from './provide';

export type ProvidedDependencies = {
  postgres: Provided;
  kafka: Provided;
  eventStoreDb: Provided | Unavailable;
};

/**
 * PostgreSQL, Kafka and EventStoreDB for a test run, each from the environment,
 * testcontainers, or the local default, in that order. Docker is asked at most once.
 */
export const provideTestDependencies = async (env: NodeJS.ProcessEnv = process.env): Promise<ProvidedDependencies> => {
  let docker: Promise<boolean> | undefined;
  const dockerAnswers = () => (docker ??= dockerEngineAnswers());
  const postgres = (await provide(postgresSource, env, dockerAnswers)) as Provided;
  const kafka = (await provide(kafkaSource, env, dockerAnswers)) as Provided;
  const eventStoreDb = await provide(eventStoreDbSource, env, dockerAnswers);
  return { postgres, kafka, eventStoreDb };
};

export const describeProvided = (deps: ProvidedDependencies): string => {
  const line = (dep: Provided | Unavailable) =>
    dep.origin === 'unavailable'
      ? `  ${dep.name.padEnd(13)} not reachable (${dep.detail}): its tests are skipped`
      : `  ${dep.name.padEnd(13)} ${dep.address}  [${dep.origin}: ${dep.detail}]`;
  return ['test dependencies:', line(deps.postgres), line(deps.kafka), line(deps.eventStoreDb)].join('\n');
};

export { DependencyUnavailableError, provide } from './provide';
export type { DependencySource, Origin, Provided, Unavailable } from './provide';
export { checkKafka } from './kafka';
export { checkPostgres } from './postgres';
