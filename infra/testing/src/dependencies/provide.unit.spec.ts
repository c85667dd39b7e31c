import { DependencyUnavailableError, provide, type DependencySource } from './provide';

// Given a source whose every way of being had is recorded, when provided with this
// environment and Docker state, then it came from the expected place.
const fakeSource = (overrides: Partial<DependencySource> = {}) => {
  const calls: string[] = [];
  const source: DependencySource = {
    name: 'Thing',
    envVar: 'THING_URL',
    check: async (address) => void calls.push(`check ${address}`),
    startContainer: async () => (calls.push('container'), { address: 'container:1', detail: 'container', stop: async () => undefined }),
    startLocal: async () => (calls.push('local'), { address: 'local:1', detail: 'local' }),
    ways: ['set THING_URL', 'start Docker', 'run it locally'],
    ...overrides,
  };
  return { source, calls };
};

const docker = (answers: boolean) => async () => answers;

describe('provide: environment, then testcontainers, then the local default', () => {
  it('uses the address in the environment after checking it, and asks Docker nothing', async () => {
    const { source, calls } = fakeSource();
    const asked = jest.fn(docker(true));
    const provided = await provide(source, { THING_URL: 'env:1' }, asked);
    expect(provided).toMatchObject({ address: 'env:1', origin: 'environment' });
    expect(calls).toEqual(['check env:1']);
    expect(asked).not.toHaveBeenCalled();
  });

  it('fails at once, naming every way, when the address in the environment does not answer', async () => {
    const { source, calls } = fakeSource({ check: async () => Promise.reject(new Error('ECONNREFUSED')) });
    const attempt = provide(source, { THING_URL: 'env:1' }, docker(true));
    await expect(attempt).rejects.toThrow(DependencyUnavailableError);
    await expect(attempt).rejects.toThrow(/THING_URL=env:1 does not answer \(ECONNREFUSED\)[\s\S]*set THING_URL[\s\S]*start Docker[\s\S]*run it locally/);
    expect(calls).not.toContain('container');
  });

  it('starts a container when no address is given and a Docker engine answers', async () => {
    const { source, calls } = fakeSource();
    const provided = await provide(source, {}, docker(true));
    expect(provided).toMatchObject({ address: 'container:1', origin: 'testcontainers' });
    expect(calls).toEqual(['container']);
  });

  it('falls back to the local default without Docker', async () => {
    const { source, calls } = fakeSource();
    const provided = await provide(source, {}, docker(false));
    expect(provided).toMatchObject({ address: 'local:1', origin: 'local' });
    expect(calls).toEqual(['local']);
  });

  it('fails with the ways to provide it when the local default cannot be had either', async () => {
    const { source } = fakeSource({ startLocal: async () => Promise.reject(new Error('nothing on 127.0.0.1:5432')) });
    await expect(provide(source, {}, docker(false))).rejects.toThrow(/Thing is needed by the tests[\s\S]*nothing on 127.0.0.1:5432[\s\S]*run it locally/);
  });

  it('reports a source with no local default as unavailable instead of failing (EventStoreDB)', async () => {
    const { source } = fakeSource({ startLocal: undefined });
    await expect(provide(source, {}, docker(false))).resolves.toEqual({ name: 'Thing', origin: 'unavailable', detail: 'no THING_URL and no Docker engine' });
  });
});
