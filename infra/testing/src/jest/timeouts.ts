// Jest reads testTimeout only from the top-level config, not per project, so each
// level that talks to real servers sets its own here.
const LEVEL_TIMEOUT_MS: Record<string, number> = { int: 60_000, e2e: 120_000 };
const level = expect.getState().testPath?.match(/\.(int|e2e)\.spec\.ts$/)?.[1];
if (level) jest.setTimeout(LEVEL_TIMEOUT_MS[level] ?? 5_000);
