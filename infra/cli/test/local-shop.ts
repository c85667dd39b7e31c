// A local-mode shop on a Kafka broker of its own, for an end-to-end spec: the shop's topic and
// group names are fixed, so two shops (or a developer's running one) must not share a broker.
import { startBroker, stopBroker } from '@ordo/kafka-local';
import { testEnvironment } from '@ordo/testing';
import { launchLocal, type LaunchedLocalShop } from './launch';
import type { ShopUrls } from './shop-client';

export interface LocalShopOptions {
  /** The broker's port: one per spec file, so spec files never share a broker. */
  brokerPort: number;
  /** Names the databases and roles the supervisor makes, which `stop` drops. */
  databasePrefix: string;
  /** Where the services' ports start. Default: a random one from 21,000, so runs seldom collide. */
  basePort?: number;
  /** For every service, e.g. ORDO_ORDER_PLACEMENT_VERSION. */
  env?: Record<string, string>;
  /** The supervisor's options, e.g. `--production`. */
  args?: string[];
}

export interface LocalShopOnItsBroker {
  shop: LaunchedLocalShop;
  brokers: string[];
  basePort: number;
  /** Stops the shop, drops its databases, stops the broker. */
  stop(): Promise<void>;
}

export const startLocalShop = async ({
  brokerPort,
  databasePrefix,
  basePort = 21_000 + Math.floor(Math.random() * 150) * 20,
  env = {},
  args = [],
}: LocalShopOptions) => {
  const { brokers } = await startBroker({ port: brokerPort, fresh: true, heap: '512m' });
  try {
    const shop = await launchLocal({ basePort, databaseUrl: testEnvironment().databaseUrl, databasePrefix, kafkaBrokers: brokers, env, args });
    const stop = async () => {
      await shop.stop();
      await shop.dropDatabases();
      await stopBroker({ port: brokerPort });
    };
    return { shop, brokers, basePort, stop } satisfies LocalShopOnItsBroker;
  } catch (error) {
    await stopBroker({ port: brokerPort });
    throw error;
  }
};

/** The shop with every URL its clients use set to the gateway's: every call on one port. */
export const throughGateway = (shop: LaunchedLocalShop): LaunchedLocalShop => ({
  ...shop,
  urls: Object.fromEntries(Object.keys(shop.urls).map((name) => [name, shop.gateway])) as unknown as ShopUrls,
});
