import { takeTeardowns } from './teardown-registry';

/** Stops what this run started (containers, a broker it launched); nothing else. */
export default async function globalTeardown(): Promise<void> {
  for (const { name, stop } of takeTeardowns().reverse()) {
    await stop().catch((error: unknown) => console.error(`stopping ${name} failed:`, error));
  }
}
