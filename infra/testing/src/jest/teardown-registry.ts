// Global set-up and teardown run in one process but in separate module registries,
// so what must be stopped is handed over on globalThis.
type Stop = { name: string; stop: () => Promise<void> };
const KEY = Symbol.for('ordo.testing.teardown');
const registry = globalThis as unknown as { [KEY]?: Stop[] };

export const registerTeardown = (name: string, stop: () => Promise<void>): void => {
  (registry[KEY] ??= []).push({ name, stop });
};

export const takeTeardowns = (): Stop[] => {
  const stops = registry[KEY] ?? [];
  registry[KEY] = [];
  return stops;
};
