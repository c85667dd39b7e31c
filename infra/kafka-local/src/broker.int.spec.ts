import fs from 'node:fs';
import net from 'node:net';
import { brokerStatus, startBroker, stopBroker } from './broker';
import { brokerPaths, kafkaHome } from './paths';
import { isAlive, portIsListening } from './process';

/** Two adjacent free ports: the client port and the controller's. */
const freePortPair = async (): Promise<number> => {
  for (;;) {
    const port = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const { port: chosen } = server.address() as net.AddressInfo;
        server.close(() => resolve(chosen));
      });
    });
    if (port < 65000 && !(await portIsListening(port + 1))) return port;
  }
};

// A second broker beside the run's own one, on its own ports and data, sharing the jars.
describe('the local Kafka broker', () => {
  let port: number;

  beforeAll(async () => {
    port = await freePortPair();
  });

  afterAll(async () => {
    await stopBroker({ port });
    fs.rmSync(brokerPaths(kafkaHome(), port).dir, { recursive: true, force: true });
  });

  it('starts, answers, is found running by a second start, and leaves no process when stopped', async () => {
    const broker = await startBroker({ port, fresh: true });
    expect(broker).toMatchObject({ brokers: [`127.0.0.1:${port}`], alreadyRunning: false });
    expect(await brokerStatus({ port })).toMatchObject({ running: true, answering: true, pid: broker.pid });

    const again = await startBroker({ port });
    expect(again).toMatchObject({ pid: broker.pid, alreadyRunning: true });

    expect(await stopBroker({ port })).toEqual({ stopped: true, pid: broker.pid });
    expect(isAlive(broker.pid)).toBe(false);
    expect(await portIsListening(port)).toBe(false);
    expect(await portIsListening(port + 1)).toBe(false);
    expect(await brokerStatus({ port })).toMatchObject({ running: false, answering: false });
  });

  it('refuses a port that another process holds, instead of reporting it as Kafka', async () => {
    const squatter = net.createServer().listen(port, '127.0.0.1');
    await new Promise((resolve) => squatter.once('listening', resolve));
    try {
      await expect(startBroker({ port, readyTimeoutMs: 5_000 })).rejects.toThrow(`port ${port} is taken by a process that is not this broker`);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });
});
