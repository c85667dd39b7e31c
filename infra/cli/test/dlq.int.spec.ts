import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { consumer, defineService } from '@ordo/host';
import { recordEvent, startTestHost, type TestHost } from '@ordo/host/testing';
import type { Principal } from '@ordo/http';
import { eventually } from '@ordo/testing';
import { runOrdo } from './run-ordo';

// The dead-letter routes every host serves, and `ordo dlq` over them: a consumer that fails
// on one key until told otherwise parks that key's three messages; the other key flows on;
// the CLI lists and shows them, a redrive that fails again leaves them parked (exit 1),
// and once fixed a redrive applies the three in order and nothing remains.

const OPERATOR = 'dlq-operator-token';
const VIEWER = 'dlq-viewer-token';
const TOKENS = new Map<string, Principal>([
  [OPERATOR, { subject: 'ops', roles: ['operator'] }],
  [VIEWER, { subject: 'support', roles: ['viewer'] }],
]);
const GROUP = 'ledger-entries';

/** What the consumer was handed, in order, and the keys it fails on. */
const applied: string[] = [];
const broken = new Set<string>();

const ledger = defineService({
  name: 'ledger',
  api: { title: 'ledger', version: '1.0.0' },
  store: { streamPrefixes: ['ledger-'] },
  takesCommands: false,
  create: () => ({
    routes: () => undefined,
    consumers: [
      consumer<{ n: number }>({
        groupId: GROUP,
        topics: ['ordo.source.events'],
        retry: { attempts: 1 },
        parse: (value) => (value as { data: { n: number } }).data,
        handle: async (message) => {
          if (broken.has(message.key)) throw new Error(`${message.key} cannot be applied yet`);
          applied.push(`${message.key}#${message.value.n}`);
        },
      }),
    ],
  }),
});

describe('ordo dlq and the dead-letter routes', () => {
  let host: TestHost<'source'>;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ordo-dlq-'));
  const ordo = (args: string[], env: Record<string, string> = {}) =>
    runOrdo(args, { ORDO_URL: host.url, ORDO_TOKEN: OPERATOR, ORDO_DATA_DIR: dataDir, ...env });
  const get = (route: string, token?: string, method = 'GET') =>
    fetch(`${host.url}${route}`, { method, headers: token ? { authorization: `Bearer ${token}` } : {} });

  beforeAll(async () => {
    host = await startTestHost({ service: ledger, standIns: ['source'], authTokens: TOKENS });
    broken.add('entry-a');
    for (const n of [1, 2, 3]) await recordEvent(host.standIns.source, { stream: 'entry-a', type: 'Entered', data: { n } });
    await recordEvent(host.standIns.source, { stream: 'entry-b', type: 'Entered', data: { n: 1 } });
    await eventually(async () => {
      const parked = (await (await get('/v1/dead-letters', OPERATOR)).json()) as { count: number }[];
      return applied.includes('entry-b#1') && parked[0]?.count === 3;
    }, "entry-a's three messages to park and entry-b's to flow");
  });
  afterAll(async () => {
    await host?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves the routes to operators only: 401 without a token, 403 for a viewer', async () => {
    for (const [route, method] of [
      ['/v1/dead-letters', 'GET'],
      [`/v1/dead-letters/${GROUP}`, 'GET'],
      [`/v1/dead-letters/${GROUP}/entry-a`, 'GET'],
      [`/v1/dead-letters/${GROUP}/entry-a/redrive`, 'POST'],
    ] as const) {
      expect({ route, status: (await get(route, undefined, method)).status }).toEqual({ route, status: 401 });
      expect({ route, status: (await get(route, VIEWER, method)).status }).toEqual({ route, status: 403 });
    }
  });

  it('answers an unknown consumer with a 404 problem listing the consumers there are', async () => {
    const response = await get('/v1/dead-letters/nobody/entry-a/redrive', OPERATOR, 'POST');
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await response.json()).toMatchObject({ status: 404, consumers: [GROUP] });
  });

  it('lists the parked key and shows its messages in order', async () => {
    const list = await ordo(['dlq', 'list']);
    expect(list).toMatchObject({ code: 0, stderr: '' });
    expect(list.stdout).toMatch(
      new RegExp(`^CONSUMER\\s+KEY\\s+MESSAGES\\s+PARKED AT\\s+FIRST ERROR\\n${GROUP}\\s+entry-a\\s+3\\s+\\S+\\s+entry-a cannot be applied yet\\n$`),
    );

    const show = await ordo(['dlq', 'show', GROUP, 'entry-a']);
    expect(show.code).toBe(0);
    const values = [...show.stdout.matchAll(/"n": (\d)/g)].map((match) => match[1]);
    expect(values).toEqual(['1', '2', '3']);
  });

  it('leaves the key parked, exiting 1, while the handler still fails', async () => {
    const redrive = await ordo(['dlq', 'redrive', GROUP, 'entry-a']);
    expect(redrive.code).toBe(1);
    expect(redrive.stdout).toBe(`${GROUP} entry-a: applied 0, remaining 3 (entry-a cannot be applied yet)\n`);
    expect(redrive.stderr).toBe('ordo: 3 message(s) remain parked; fix the cause and redrive again\n');
  });

  it('applies the parked messages in order once the cause is fixed, and nothing remains', async () => {
    broken.clear();
    const redrive = await ordo(['dlq', 'redrive', GROUP, 'entry-a']);
    expect(redrive).toEqual({ code: 0, stdout: `${GROUP} entry-a: applied 3, remaining 0\n`, stderr: '' });
    expect(applied.filter((entry) => entry.startsWith('entry-a'))).toEqual(['entry-a#1', 'entry-a#2', 'entry-a#3']);
    expect(await ordo(['dlq', 'list'])).toEqual({ code: 0, stdout: 'nothing is parked\n', stderr: '' });
  });

  it('fails with the known consumers for an unknown one, and clearly for an unreachable shop or a refused token', async () => {
    expect(await ordo(['dlq', 'redrive', 'nobody', 'entry-a'])).toEqual({
      code: 1,
      stdout: '',
      stderr: `ordo: no consumer 'nobody'; the consumers are: ${GROUP}\n`,
    });

    const unreachable = await ordo(['dlq', 'list', '--timeout', '2000'], { ORDO_URL: 'http://127.0.0.1:1' });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain('ordo: cannot reach shop at http://127.0.0.1:1');

    const refused = await ordo(['dlq', 'show', GROUP], { ORDO_TOKEN: VIEWER });
    expect(refused).toMatchObject({ code: 1, stderr: expect.stringContaining('refused the token (403)') });
  });
});
