// One jest project per test level. `npm test` runs the levels one after
// another through tools/test-levels.mjs, which gives each a time budget.
const fs = require('node:fs');
const path = require('node:path');

const swc = JSON.parse(fs.readFileSync(path.join(__dirname, '.swcrc'), 'utf8'));

const shared = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: {
    // ES-module-only packages jest must compile to load (see the transformer); first, as jest takes the first match.
    '/node_modules/@platformatic/.+\\.js$': '<rootDir>/infra/testing/src/jest/esm-to-cjs.js',
    '^.+\\.(t|j)s$': ['@swc/jest', { ...swc, swcrc: false }],
  },
  transformIgnorePatterns: ['/node_modules/(?!@platformatic/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/\\.cache/'],
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/', '<rootDir>/.*/\\.cache/'],
  // The docs UI needs ES-module-only packages that jest cannot load (see the stub).
  moduleNameMapper: { '^@fastify/swagger-ui$': '<rootDir>/infra/testing/src/jest/swagger-ui-stub.ts' },
};

// Levels that need real servers share one set-up: it finds PostgreSQL and Kafka
// (environment, testcontainers, or the local servers) before any test file runs.
const withServers = {
  globalSetup: '<rootDir>/infra/testing/src/jest/global-setup.ts',
  globalTeardown: '<rootDir>/infra/testing/src/jest/global-teardown.ts',
  setupFilesAfterEnv: ['<rootDir>/infra/testing/src/jest/timeouts.ts'],
};

module.exports = {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/**/*.unit.spec.ts'] },
    { ...shared, ...withServers, displayName: 'int', testMatch: ['<rootDir>/**/*.int.spec.ts'] },
    { ...shared, ...withServers, displayName: 'e2e', testMatch: ['<rootDir>/**/*.e2e.spec.ts'] },
  ],
};
