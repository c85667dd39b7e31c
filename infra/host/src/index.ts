export {
  consumer,
  defineService,
  schemaOf,
  knownPeers,
  type Peers,
  type ConsumerDefinition,
  type ServiceDefinition,
  type ServicePorts,
  type ReadModelPorts,
  type EventSources,
  type ReadModelDefinition,
  type StoredServiceDefinition,
  type ReadModelFactory,
  type ServiceModule,
  type ServiceFactory,
  type RunningService,
  type StoreSpec,
} from './module';
export { topicsOf } from './topics';
export { runStandalone } from './standalone';
export { connectionShares, DEFAULT_CONNECTION_SHARES, MIN_DATABASE_CONNECTIONS, type ConnectionShares } from './connections';
export { runEmbedded, EMBEDDED_OPERATOR, type EmbeddedOptions } from './embedded';
export { localTokens, type LocalTokens } from './local-tokens';
export { DataFolderLocked, lockDataFolder, type DataFolderLock } from './data-lock';
export { deadLetterRoutes, type MountedConsumers } from './dead-letter-routes';
