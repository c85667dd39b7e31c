import fs from 'node:fs';
import path from 'node:path';

// The ordo command runs with its own node flags in two places (the npm script and the
// file's shebang), and the replay bench measures a rebuild with them: all three the same.
const root = path.resolve(__dirname, '../../..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');
const flagsBefore = (command: string, marker: string) =>
  command
    .slice(0, command.indexOf(marker))
    .split(/\s+/)
    .filter((word) => word.startsWith('--'));

describe('the ordo command’s node flags', () => {
  it('are the same in the npm script, the shebang and the replay bench', () => {
    const script = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts.ordo ?? '';
    const fromScript = flagsBefore(script, '--import');
    const shebang = read('infra/cli/src/ordo.ts').split('\n')[0] ?? '';
    const bench = /^\/\/ node-options: (.+)$/m.exec(read('read-models/orders-view/bench/replay.bench.ts'))?.[1]?.trim().split(/\s+/);

    expect(fromScript).toContain('--max-semi-space-size=64');
    expect(flagsBefore(shebang, '--import')).toEqual(fromScript);
    expect(bench).toEqual(fromScript);
  });
});
