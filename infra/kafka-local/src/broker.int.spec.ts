import fs from 'node:fs';
import net from 'node:net';
import { brokerStatus, startBroker, stopBroker } from './broker';
import { brokerPaths, kafkaHome } from './paths';
import { isAlive, portIsListening } from './process';

/** Whether this process can listen on the port now (nothing listens there, and no connection holds it). */
const canListen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/**
 * Two adjacent free ports, the client port and the controller's, below Linux's ephemeral
 * range (32768 and up): a port above it that is free now may be taken by the next outgoing
 * connection of the suite before the broker binds it.
 */
const freePortPair = async (): Promise<number> => {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if ((await canListen(port)) && (await canListen(port + 1))) return port;
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
