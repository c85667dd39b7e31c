export { testScope, type TestScope } from './scope';
export { testEnvironment, type TestEnvironment } from './environment';
export {
  provideTestDependencies,
  describeProvided,
  provide,
  checkKafka,
  checkPostgres,
  DependencyUnavailableError,
  type DependencySource,
  type Provided,
  type Unavailable,
  type Origin,
} from './dependencies';
export { describeWithEventStoreDb } from './eventstoredb';
export { sqlDatabases, type TestDatabase } from './databases';
export { deciderSpec, type Decider } from './kits/decider';
export { publishedEvent } from './kits/published-event';
export { eventually } from './eventually';
