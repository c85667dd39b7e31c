import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { testEnvironment } from '@ordo/testing';
import { runOrdo } from './run-ordo';

// Every error path of the `ordo` command as a user meets it, in a process of its own: usage
// errors exit 2 with commander's message, failures (unknown names, unreachable servers, the
// wrong mode) exit 1 with one `ordo: ...` line; --help on every command exits 0.

const COMMANDS: { command: string[]; names: string[] }[] = [
  { command: [], names: ['--mode', 'replay', 'republish', 'dlq', 'status'] },
  { command: ['status'], names: ['--timeout'] },
  { command: ['replay'], names: ['<projection>', '--source', '--dry-run', '--from-time', '--from-offset'] },
  { command: ['republish'], names: ['<context>', '--from', '--timeout'] },
  { command: ['dlq'], names: ['list', 'show', 'redrive'] },
  { command: ['dlq', 'list'], names: ['--timeout'] },
  { command: ['dlq', 'show'], names: ['<consumer>', '[key]', '--timeout'] },
  { command: ['dlq', 'redrive'], names: ['<consumer>', '[key]', '--timeout'] },
];

describe('the ordo command', () => {
  const env = testEnvironment();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ordo-cli-'));
  const local = { DATABASE_URL: env.databaseUrl, KAFKA_BROKERS: env.kafkaBrokers.join(','), ORDO_DATA_DIR: dataDir };
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it.each(COMMANDS.map(({ command, names }) => [['ordo', ...command].join(' '), command, names] as const))(
    '%s --help exits 0 and names its options',
    async (_name, command, names) => {
      const run = await runOrdo([...command, '--help']);
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
      for (const name of names) expect(run.stdout).toContain(name);
    },
  );

  it('refuses an unknown command, a missing argument and a bad option with exit 2', async () => {
    const unknown = await runOrdo(['frobnicate']);
    expect(unknown).toMatchObject({ code: 2, stderr: expect.stringMatching(/^ordo: unknown command 'frobnicate'\n/) });
    const missing = await runOrdo(['dlq', 'redrive']);
    expect(missing).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^ordo: missing required argument 'consumer'\n\(ordo dlq redrive --help shows its usage\)/),
    });
    const mode = await runOrdo(['--mode', 'cloud', 'dlq', 'list']);
    expect(mode).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("ordo: option '--mode <mode>' argument 'cloud' is invalid. Allowed choices are embedded, local."),
    });
    const timeout = await runOrdo(['dlq', 'list', '--timeout', 'soon']);
    expect(timeout).toMatchObject({ code: 2, stderr: expect.stringContaining('expected a whole number of milliseconds') });
  });

  it.each([
    [['--from-offset', 'ordo.orders.events:0'], "ordo: --from-offset 'ordo.orders.events:0' is not topic:partition:offset"],
    [['--from-offset', 'ordo.orders.events:-1:0'], "ordo: --from-offset 'ordo.orders.events:-1:0' is not topic:partition:offset"],
    [['--from-offset', 'ordo.orders.events:0:1.5'], "ordo: --from-offset 'ordo.orders.events:0:1.5' is not topic:partition:offset"],
    [['--from-time', 'yesterday'], "ordo: --from-time 'yesterday' is not an ISO 8601 date"],
    [['--from-time', '2026-02-30T08:00:00'], "ordo: --from-time '2026-02-30T08:00:00' is not an ISO 8601 date"],
    [['--from-time', '2026-01-01', '--from-offset', 'ordo.orders.events:0:0'], 'ordo: --from-time and --from-offset exclude each other'],
    [['--from-time', '2026-01-01', '--dry-run'], 'ordo: --dry-run compares a full rebuild'],
    [['--from-offset', 'ordo.orders.events:0:0', '--source', 'eventstore'], 'ordo: --from-time and --from-offset read Kafka'],
    [['--source', 'ledger'], "ordo: option '--source <source>' argument 'ledger' is invalid"],
  ])('ordo replay orders-view %j exits 2: %s', async (flags, message) => {
    const run = await runOrdo(['replay', 'orders-view', ...flags], local);
    expect(run).toMatchObject({ code: 2, stdout: '', stderr: expect.stringContaining(message) });
  });

  it('names the projections there are for an unknown one', async () => {
    const run = await runOrdo(['replay', 'nope'], local);
    expect(run).toMatchObject({ code: 1, stdout: '', stderr: expect.stringMatching(/^ordo: no projection 'nope'; the projections are: .+\n$/) });
  });

  it('names the contexts there are for an unknown one', async () => {
    const run = await runOrdo(['republish', 'ledger'], local);
    expect(run).toEqual({
      code: 1,
      stdout: '',
      stderr: "ordo: no context 'ledger'; the contexts are: catalog, inventory, orders, sagas, customers, payments, shipping\n",
    });
  });

  it('fails clearly on an unreachable broker and an unreachable database', async () => {
    const broker = await runOrdo(['republish', 'sagas', '--timeout', '1000'], { ...local, KAFKA_BROKERS: '127.0.0.1:1' });
    expect(broker).toMatchObject({ code: 1, stdout: '', stderr: expect.stringMatching(/^ordo: cannot reach Kafka at 127\.0\.0\.1:1: .+ECONNREFUSED.+\n$/) });

    const database = await runOrdo(['republish', 'sagas'], { ...local, DATABASE_URL: 'postgres://postgres:secret@127.0.0.1:1/postgres' });
    expect(database).toMatchObject({
      code: 1,
      stdout: '',
      stderr: expect.stringMatching(
        /^ordo: cannot open sagas's database through PostgreSQL at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/postgres: .*ECONNREFUSED.*\n$/,
      ),
    });
  });

  it('reports a server that does not answer as down, and exits 1 naming it', async () => {
    // A port that was free a moment ago: nothing listens there.
    const probe = net.createServer();
    const port = await new Promise<number>((resolve) => probe.listen(0, '127.0.0.1', () => resolve((probe.address() as net.AddressInfo).port)));
    await new Promise((resolve) => probe.close(resolve));
    const status = await runOrdo(['status', '--timeout', '1000'], { ORDO_URL: `http://127.0.0.1:${port}`, ORDO_TOKEN: 'any' });
    expect(status).toMatchObject({ code: 1, stderr: 'ordo: 1 of 1 server(s) not ready: shop\n' });
    expect(status.stdout).toMatch(
      new RegExp(`^SERVER +STATE +RELAY WAITING +RELAY LAG +CONSUMER LAG +URL\nshop +down +- +- +- +http://127\\.0\\.0\\.1:${port} \\(.*ECONNREFUSED.*\\)\n`),
    );
    expect(status.stdout).toContain('sagas by state: unknown (no server answered the saga dashboard counts)');
  });

  it('refuses republish in embedded mode, which has no Kafka, and says when it finds no shop at all', async () => {
    const embedded = await runOrdo(['--mode', 'embedded', 'republish', 'orders'], local);
    expect(embedded).toMatchObject({ code: 1, stderr: expect.stringMatching(/^ordo: republish refills a Kafka topic, and embedded mode has no Kafka/) });

    const nowhere = await runOrdo(['dlq', 'list'], { DATABASE_URL: '', KAFKA_BROKERS: '', ORDO_URL: '', ORDO_DATA_DIR: path.join(dataDir, 'missing') });
    expect(nowhere).toMatchObject({ code: 1, stderr: expect.stringMatching(/^ordo: no shop found: .+missing does not exist/) });
    // Nothing was made on the way: a data folder made here would be taken for a shop next time.
    expect(fs.existsSync(path.join(dataDir, 'missing'))).toBe(false);
  });

  it('needs the operator token of the shop, and says where it looked', async () => {
    const run = await runOrdo(['--mode', 'embedded', 'dlq', 'list'], { ...local, ORDO_DATA_DIR: dataDir, ORDO_TOKEN: '' });
    expect(run).toMatchObject({
      code: 1,
      stderr: `ordo: no operator token: ${path.join(dataDir, 'auth-tokens')} does not exist (the shop makes it on its first start); set ORDO_TOKEN or ORDO_DATA_DIR\n`,
    });
  });
});
