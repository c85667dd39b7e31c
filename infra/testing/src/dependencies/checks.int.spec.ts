import net from 'node:net';
import { testEnvironment } from '../environment';
import { checkKafka } from './kafka';
import { checkPostgres } from './postgres';

/** A port on which nothing listens: bound, then released. */
const closedPort = (): Promise<number> =>
  new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });

describe('dependency checks against real servers', () => {
  const env = testEnvironment();

  it('accept the PostgreSQL and Kafka this run provided', async () => {
    await expect(checkPostgres(env.databaseUrl)).resolves.toBeUndefined();
    await expect(checkKafka(env.kafkaBrokers.join(','))).resolves.toBeUndefined();
  });

  it('reject a PostgreSQL that is down', async () => {
    const port = await closedPort();
    await expect(checkPostgres(`postgres://postgres@127.0.0.1:${port}/postgres`)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('reject a Kafka that is down', async () => {
    const port = await closedPort();
    await expect(checkKafka(`127.0.0.1:${port}`)).rejects.toThrow(/no broker answered/);
  });
});
