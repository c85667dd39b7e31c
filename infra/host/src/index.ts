export type { ServicePorts, ServiceModule, ServiceFactory } from './module';
export { runStandalone } from './standalone';
export { runEmbedded, type EmbeddedOptions } from './embedded';
