// Lint for every workspace package. Not type-aware on purpose: it stays fast, and
// `npm run typecheck` is where types are checked.
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import nx from '@nx/eslint-plugin';
import { scopeMapped } from './tools/lint-rules/scope-mapped.mjs';

// Tags live in each package.json ("nx": { "tags": [...] }); docs/architecture.md "Layout".
// Types: a context reaches another only through its contract; only the app composes
// services. Scopes: which context may use which contract.
const typeConstraints = [
  { sourceTag: 'type:platform', onlyDependOnLibsWithTags: ['type:platform'] },
  { sourceTag: 'type:contract', onlyDependOnLibsWithTags: ['type:platform'] },
  { sourceTag: 'type:context', onlyDependOnLibsWithTags: ['type:platform', 'type:contract'] },
  { sourceTag: 'type:saga', onlyDependOnLibsWithTags: ['type:platform', 'type:contract'] },
  { sourceTag: 'type:read-model', onlyDependOnLibsWithTags: ['type:platform', 'type:contract'] },
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['*'] },
];

// Which other contexts' contracts each scope uses: the map of who talks to whom. A scope
// may always use its own packages and the platform's; the shop (the composition root)
// uses everything.
const contractsUsedBy = {
  catalog: [],
  customers: [],
  inventory: ['catalog', 'shipping'],
  orders: ['catalog', 'customers', 'shipping'],
  payments: [],
  shipping: [],
  'order-placement': ['orders', 'inventory', 'payments', 'shipping', 'customers'],
  'orders-view': ['orders', 'payments', 'shipping'],
  'inventory-view': ['inventory'],
  'saga-dashboard': [],
  platform: [],
  // The lint fixtures (tools/lint-fixtures): beta may use alpha's contract, gamma may not;
  // delta's scope is left out on purpose, and its files fail the lint.
  alpha: [],
  beta: ['alpha'],
  gamma: [],
};
// Every scope a project may carry: a scope missing here is an error (scopeMapped), since
// no constraint below would bound it.
const mappedScopes = [...Object.keys(contractsUsedBy), 'shop'];
const scopeConstraints = [
  ...Object.entries(contractsUsedBy).map(([scope, uses]) => ({
    sourceTag: `scope:${scope}`,
    onlyDependOnLibsWithTags: [`scope:${scope}`, 'scope:platform', ...uses.map((used) => `scope:${used}`)],
  })),
  { sourceTag: 'scope:shop', onlyDependOnLibsWithTags: ['*'] },
];
const depConstraints = [...typeConstraints, ...scopeConstraints];

// A context's specs may mount the services it calls (orders' specs run the real customers
// service): tests compose, as the app does. Scopes still bound which ones.
const testTypeConstraints = typeConstraints.map((constraint) =>
  ['type:context', 'type:saga'].includes(constraint.sourceTag)
    ? { ...constraint, onlyDependOnLibsWithTags: [...constraint.onlyDependOnLibsWithTags, 'type:context'] }
    : constraint,
);
const boundaries = (constraints) => ['error', { enforceBuildableLibDependency: false, allow: [], depConstraints: constraints }];

export default defineConfig(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/.cache/**', '.nx/**', 'coverage/**'] },
  {
    files: ['**/*.ts', '**/*.tsx'],
    extends: [tseslint.configs.recommended],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/ban-ts-comment': 'error',
    },
  },
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.js', '**/*.mjs'],
    plugins: { '@nx': nx, ordo: { rules: { 'scope-mapped': scopeMapped } } },
    rules: {
      // Reads the project graph Nx caches in .nx/workspace-data. Without it the rule
      // prints a warning, checks nothing and exits 0. `nx run-many -t lint` refreshes
      // the graph first; before a bare `eslint`, run any nx command (`nx show projects`).
      '@nx/enforce-module-boundaries': boundaries(depConstraints),
      // The same graph; each file of a project whose scope is not in contractsUsedBy.
      'ordo/scope-mapped': ['error', { scopes: mappedScopes }],
    },
  },
  {
    files: ['**/*.spec.ts', '**/test/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': boundaries([...testTypeConstraints, ...scopeConstraints]) },
  },
  // Last, so formatting rules never fight prettier.
  prettier,
);
