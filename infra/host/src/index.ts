export type { ServicePorts, ServiceModule, ServiceFactory, StoreSpec } from './module';
export { runStandalone } from './standalone';
export { runEmbedded, EMBEDDED_OPERATOR, type EmbeddedOptions } from './embedded';
export { localTokens, type LocalTokens } from './local-tokens';
export { DataFolderLocked } from './data-lock';
