import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { packageFolderOf, SERVICE_PACKAGES } from '../src/shop';
import { startLocalShop, throughGateway, type LocalShopOnItsBroker } from './local-shop';
import { shopScenarios } from './shop-scenarios';

// The production build (docs/deploying.md): `npm run build` compiles every package to
// dist/; each service's image holds its build and production dependencies only
// (tools/stage-production.mjs, which each Dockerfile runs), and runs `<folder>/dist/main.js`.
// Here, without Docker: every service staged as its image stages it loads there, with no
// dev dependency in reach; and the shop's scenarios pass through the gateway on local mode
// started with --production, each service its own process running its dist/main.js.

const ROOT = path.resolve(__dirname, '../../..');
const BROKER_PORT = 19_432;
const SERVICES = Object.keys(SERVICE_PACKAGES);
const folderOf = (name: string) => path.relative(ROOT, packageFolderOf(name));

beforeAll(() => {
  const build = spawnSync('npm', ['run', 'build', '--', '--outputStyle=static'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NX_DAEMON: 'false' } });
  if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}\n${build.stderr}`);
}, 300_000);

describe("each service's image contents", () => {
  const stages = fs.mkdtempSync(path.join(os.tmpdir(), 'ordo-stage-'));
  afterAll(() => fs.rmSync(stages, { recursive: true, force: true }));

  it('loads every service from its build with its production dependencies only, as its image holds them', async () => {
    const run = promisify(execFile);
    const stage = async (name: string) => {
      const out = path.join(stages, name);
      await run(process.execPath, [path.join(ROOT, 'tools/stage-production.mjs'), SERVICE_PACKAGES[name] as string, out], { cwd: ROOT });
      // No dev dependency came along: no tsx to run TypeScript, no test tools.
      const installed = fs.readdirSync(path.join(out, 'node_modules'));
      const sources = fs.readdirSync(path.join(out, folderOf(name)));
      // Its whole import graph loads (the service module, which main.js starts) from JavaScript alone.
      const loaded = await run(process.execPath, ['--conditions=production', '-e', `require('./${folderOf(name)}/dist/index.js')`], { cwd: out }).then(
        () => 'loaded',
        (error: { stderr?: string }) => error.stderr ?? String(error),
      );
      return {
        name,
        devTools: installed.filter((entry) => ['tsx', 'typescript', 'jest', '@swc', 'fast-check'].includes(entry)),
        hasSources: sources.includes('src'),
        loaded,
      };
    };
    // Two at a time: npm's install is the slow part, and the machine has two cores.
    const results = [];
    for (let at = 0; at < SERVICES.length; at += 2) results.push(...(await Promise.all(SERVICES.slice(at, at + 2).map(stage))));
    expect(results).toEqual(SERVICES.map((name) => ({ name, devTools: [], hasSources: false, loaded: 'loaded' })));
  }, 600_000);
});

describe('local mode on the production build (--production)', () => {
  let local: LocalShopOnItsBroker;

  beforeAll(async () => {
    local = await startLocalShop({ brokerPort: BROKER_PORT, databasePrefix: `t_prod_${randomBytes(3).toString('hex')}_`, args: ['--production'] });
  }, 300_000);
  afterAll(() => local?.stop(), 120_000);

  it('runs every service and the gateway from its dist/main.js, none through tsx', () => {
    const commands = local.shop.processes().map(({ command }) => command);
    for (const name of SERVICES) {
      expect({ name, running: commands.filter((command) => command.includes(`--conditions=production ${packageFolderOf(name)}/dist/main.js`)).length }).toEqual(
        {
          name,
          running: 1,
        },
      );
    }
    expect(commands.filter((command) => command.includes('serve.ts'))).toEqual([]);
  });

  describe('through the gateway', () => {
    shopScenarios(() => throughGateway(local.shop));
  });
});
