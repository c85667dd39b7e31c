// Proves the tag constraints in eslint.config.mjs reject what docs/architecture.md "Layout" forbids,
// and that a project whose scope they do not map fails the lint, using the fixture packages
// beside this file (README.md here).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { createProjectGraphAsync } from '@nx/devkit';

const repoRoot = path.resolve(__dirname, '../..');
const RULE = '@nx/enforce-module-boundaries';

type Message = { ruleId: string | null; message: string };

// Each case is linted as if its code sat at `file`, which need not exist.
const cases = {
  contextImportsService: {
    file: 'tools/lint-fixtures/beta/src/probe.ts',
    code: "import { pingAlpha } from '@ordo-fixtures/alpha';\nexport const ping = pingAlpha;\n",
  },
  contextImportsContract: {
    file: 'tools/lint-fixtures/beta/src/probe.ts',
    code: "import type { AlphaPinged } from '@ordo-fixtures/alpha-contract';\nexport type Seen = AlphaPinged;\n",
  },
  contextImportsContractOutsideItsScope: {
    file: 'tools/lint-fixtures/gamma/src/probe.ts',
    code: "import type { AlphaPinged } from '@ordo-fixtures/alpha-contract';\nexport type Seen = AlphaPinged;\n",
  },
  platformImportsContract: {
    file: 'infra/testing/src/probe.ts',
    code: "import type { AlphaPinged } from '@ordo-fixtures/alpha-contract';\nexport type Seen = AlphaPinged;\n",
  },
  fileOfProjectWithUnmappedScope: {
    file: 'tools/lint-fixtures/delta/src/probe.ts',
    code: "export const probe = 'delta';\n",
  },
};
type Case = keyof typeof cases;

let messages: Record<Case, Message[]>;

beforeAll(async () => {
  // The rule reads the graph Nx caches in .nx/workspace-data and, when there is none
  // (a clean checkout), prints a warning and checks nothing. So build it first.
  await createProjectGraphAsync({ exitOnError: false });

  const names = Object.keys(cases) as Case[];
  const input = names.map((name) => ({ filePath: path.join(repoRoot, cases[name].file), code: cases[name].code }));
  const child = promisify(execFile)(process.execPath, [path.join(__dirname, 'lint-text.mjs')], { cwd: repoRoot });
  child.child.stdin?.end(JSON.stringify(input));
  const lines = (await child).stdout.trim().split('\n');
  const results = JSON.parse(lines.pop() ?? '[]') as Message[][];
  // Anything else printed means the rule was skipped or unwell, e.g. "No cached ProjectGraph".
  const printed = lines.join('\n').trim();
  if (printed) throw new Error(`linting printed:\n${printed}`);
  messages = Object.fromEntries(names.map((name, i) => [name, results[i] ?? []])) as Record<Case, Message[]>;
}, 120_000);

describe('@nx/enforce-module-boundaries', () => {
  it("rejects a context importing another context's service package", () => {
    expect(messages.contextImportsService).toEqual([
      {
        ruleId: RULE,
        message: 'A project tagged with "type:context" can only depend on libs tagged with "type:platform", "type:contract"',
      },
    ]);
  });

  // Also guards the nested layout: alpha/contract must resolve to its own project, not alpha.
  it("lets a context import another context's contract", () => {
    expect(messages.contextImportsContract).toEqual([]);
  });

  it('rejects a context importing the contract of a context its scope does not use', () => {
    expect(messages.contextImportsContractOutsideItsScope).toEqual([
      { ruleId: RULE, message: 'A project tagged with "scope:gamma" can only depend on libs tagged with "scope:gamma", "scope:platform"' },
    ]);
  });

  it('rejects a platform package importing a contract', () => {
    expect(messages.platformImportsContract).toEqual([
      { ruleId: RULE, message: 'A project tagged with "type:platform" can only depend on libs tagged with "type:platform"' },
    ]);
  });
});

describe('ordo/scope-mapped', () => {
  it('rejects any file of a project whose scope the map of scopes does not list, naming the project and its scope', () => {
    expect(messages.fileOfProjectWithUnmappedScope).toEqual([
      {
        ruleId: 'ordo/scope-mapped',
        message:
          'project @ordo-fixtures/delta is tagged "scope:delta", a scope contractsUsedBy in eslint.config.mjs does not list: add it there with the contracts it uses, or nothing bounds what it imports',
      },
    ]);
  });
});
