import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { endpointsOf } from './commands/target';
import { loadLocalProcesses, saveLocalProcesses } from './local-processes';
import { serviceProcesses } from './replicas';
import { portOf, shopServices } from './shop';

// `ordo status` in local mode asks every process the last start listed, not only each
// service's first: the supervisor keeps the list in the data folder.
describe('the processes local mode lists for ordo status', () => {
  let dataDir = '';
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ordo-processes-'));
  });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  const names = shopServices.map((service) => service.name);
  const started = (basePort: number, replicas: ReadonlyMap<string, number>) =>
    saveLocalProcesses(
      dataDir,
      serviceProcesses(names, replicas, (name) => portOf(name, basePort)),
    );
  const local = (env: NodeJS.ProcessEnv) => ({ mode: 'local' as const, dataDir, env });

  it('keeps every process of the last start, and reads nothing when no start wrote it', () => {
    expect(loadLocalProcesses(dataDir)).toBeUndefined();
    started(4000, new Map([['orders', 2]]));
    const listed = loadLocalProcesses(dataDir) ?? [];
    expect(listed).toHaveLength(names.length + 1);
    expect(listed.at(-1)).toEqual({ name: 'orders#2', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) });
    expect(fs.readdirSync(dataDir)).toEqual(['local-processes.json']);
  });

  it("adds the other replicas to status's servers, before the gateway, and leaves the operator routes at one a service", () => {
    started(
      4000,
      new Map([
        ['orders', 2],
        ['sagas', 3],
      ]),
    );

    const servers = endpointsOf(local({ PORT: '4000' }), { gateway: true, replicas: true }).map((endpoint) => endpoint.name);

    expect(servers).toEqual([...names, 'orders#2', 'sagas#2', 'sagas#3', 'gateway']);
    expect(endpointsOf(local({ PORT: '4000' })).map((endpoint) => endpoint.name)).toEqual(names);
  });

  it('ignores the list of a shop started on other ports, and a list it cannot read', () => {
    started(5000, new Map([['orders', 2]]));
    expect(endpointsOf(local({ PORT: '4000' }), { replicas: true })).toHaveLength(names.length);

    fs.writeFileSync(path.join(dataDir, 'local-processes.json'), '{ not json');
    expect(endpointsOf(local({ PORT: '5000' }), { replicas: true })).toHaveLength(names.length);
  });
});
