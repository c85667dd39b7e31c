import net from 'node:net';
import { GenericContainer, Wait } from 'testcontainers';
import type { DependencySource } from './provide';

const IMAGE = 'docker.kurrent.io/eventstore/eventstoredb-ee:24.10';

/** A TCP connect to the host and port of an esdb:// or kurrentdb:// URL. */
export const checkEventStoreDb = (url: string): Promise<void> => {
  const { hostname, port } = new URL(url.replace(/^(esdb|kurrentdb)(\+discover)?:/, 'http:'));
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname, port: Number(port || 2113) });
    socket.setTimeout(3_000);
    socket.once('connect', () => (socket.destroy(), resolve()));
    socket.once('timeout', () => (socket.destroy(), reject(new Error('connect timed out'))));
    socket.once('error', reject);
  });
};

export const eventStoreDbSource: DependencySource = {
  name: 'EventStoreDB',
  envVar: 'ESDB_URL',
  check: checkEventStoreDb,
  startContainer: async () => {
    const container = await new GenericContainer(IMAGE)
      .withEnvironment({ EVENTSTORE_INSECURE: 'true', EVENTSTORE_RUN_PROJECTIONS: 'None', EVENTSTORE_MEM_DB: 'true' })
      .withExposedPorts(2113)
      .withWaitStrategy(Wait.forHttp('/health/live', 2113).forStatusCode(204))
      .start();
    return {
      address: `esdb://${container.getHost()}:${container.getMappedPort(2113)}?tls=false`,
      detail: `container ${IMAGE}`,
      stop: async () => void (await container.stop()),
    };
  },
  ways: ['set ESDB_URL (esdb://host:2113?tls=false)', 'start a Docker engine, and testcontainers runs EventStoreDB'],
};
