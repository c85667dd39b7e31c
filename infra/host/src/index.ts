export type { ServicePorts, ServiceModule, ServiceFactory, StoreSpec } from './module';
export { runStandalone } from './standalone';
export { runEmbedded, type EmbeddedOptions } from './embedded';
