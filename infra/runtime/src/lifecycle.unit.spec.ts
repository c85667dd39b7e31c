import { createLifecycle } from './lifecycle';
import { createLogger } from './logging';

// exitOnSignals installs process-wide handlers and exits the process: it is covered by
// an integration test, never here.

// Given closers registered in this order, when shut down, then they ran in this order
// and the lifecycle ended in this state.
const setUp = () => {
  const raw: string[] = [];
  const logger = createLogger({ service: 'orders', level: 'debug', destination: { write: (line: string) => void raw.push(line) } });
  const logged = () => raw.map((line): Record<string, unknown> => JSON.parse(line));
  const closed: string[] = [];
  const lifecycle = createLifecycle({ logger });
  const register = (...names: string[]) => names.forEach((name) => lifecycle.onShutdown(name, () => void closed.push(name)));
  return { lifecycle, closed, register, logged };
};

const deferred = () => {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((settle) => (resolve = settle));
  return { promise, resolve };
};

describe('createLifecycle', () => {
  it('closes in reverse order of registration: the server first, the pools last', async () => {
    const { lifecycle, closed, register } = setUp();
    register('postgres pool', 'kafka consumer', 'http server');
    await lifecycle.shutdown('SIGTERM');
    expect(closed).toEqual(['http server', 'kafka consumer', 'postgres pool']);
  });

  it('waits for each closer before starting the next', async () => {
    const { lifecycle, closed, register } = setUp();
    const server = deferred();
    register('postgres pool');
    lifecycle.onShutdown('http server', () => server.promise.then(() => closed.push('http server')));
    const stopping = lifecycle.shutdown('SIGTERM');
    await Promise.resolve();
    expect(closed).toEqual([]);
    server.resolve();
    await stopping;
    expect(closed).toEqual(['http server', 'postgres pool']);
  });

  it('closes once when shut down twice at the same time, and later calls wait for the first', async () => {
    const { lifecycle, closed, register } = setUp();
    register('postgres pool', 'http server');
    const first = lifecycle.shutdown('SIGTERM');
    const second = lifecycle.shutdown('SIGINT');
    expect(second).toBe(first);
    await Promise.all([first, second]);
    await lifecycle.shutdown('exit');
    expect(closed).toEqual(['http server', 'postgres pool']);
  });

  it('keeps closing after a closer fails, then rejects with every failure', async () => {
    const { lifecycle, closed, register, logged } = setUp();
    const rejected = new Error('consumer would not leave the group');
    const thrown = new Error('pool already ended');
    register('postgres pool');
    lifecycle.onShutdown('broken pool', () => {
      throw thrown;
    });
    lifecycle.onShutdown('kafka consumer', () => Promise.reject(rejected));
    register('http server');

    const stopping = lifecycle.shutdown('SIGTERM');

    await expect(stopping).rejects.toThrow(AggregateError);
    await expect(stopping).rejects.toMatchObject({ message: 'shutdown finished with failures', errors: [rejected, thrown] });
    expect(closed).toEqual(['http server', 'postgres pool']);
    expect(lifecycle.state).toBe('stopped');
    expect(logged().filter((line) => line.msg === 'closing failed')).toEqual([
      expect.objectContaining({ closing: 'kafka consumer', err: expect.objectContaining({ message: rejected.message }) }),
      expect.objectContaining({ closing: 'broken pool', err: expect.objectContaining({ message: thrown.message }) }),
    ]);
  });

  it('goes from starting to ready to stopping to stopped', async () => {
    const { lifecycle } = setUp();
    const server = deferred();
    lifecycle.onShutdown('http server', () => server.promise);
    expect(lifecycle.state).toBe('starting');

    lifecycle.markReady();
    expect(lifecycle.state).toBe('ready');

    const stopping = lifecycle.shutdown('SIGTERM');
    expect(lifecycle.state).toBe('stopping');
    lifecycle.markReady();
    expect(lifecycle.state).toBe('stopping');

    server.resolve();
    await stopping;
    expect(lifecycle.state).toBe('stopped');
  });

  it('can shut down before it was ever ready (a start that failed half-way)', async () => {
    const { lifecycle, closed, register } = setUp();
    register('postgres pool');
    await lifecycle.shutdown('start failed');
    expect(closed).toEqual(['postgres pool']);
    expect(lifecycle.state).toBe('stopped');
  });

  it('logs why it shut down and when it is done', async () => {
    const { lifecycle, logged } = setUp();
    await lifecycle.shutdown('SIGTERM');
    expect(logged()).toEqual([
      expect.objectContaining({ service: 'orders', msg: 'shutting down', reason: 'SIGTERM' }),
      expect.objectContaining({ service: 'orders', msg: 'shut down' }),
    ]);
  });
});
