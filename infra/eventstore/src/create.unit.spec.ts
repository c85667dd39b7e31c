import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { createEventStore } from './create';
import { InvalidEventError } from './errors';
import { EsdbEventStore } from './esdb/store';

const REPOSITORY = path.resolve(__dirname, '../../..');

describe('createEventStore', () => {
  it.each(['esdb://127.0.0.1:2113?tls=false', 'kurrentdb://127.0.0.1:2113?tls=false'])(
    'opens %s with the EventStoreDB adapter, which connects on first use',
    async (url) => {
      const store = await createEventStore(url);
      expect(store).toBeInstanceOf(EsdbEventStore);
      await store.close();
    },
  );

  it('refuses a URL of no store it knows, naming the ones it does', async () => {
    await expect(createEventStore('mysql://localhost/db')).rejects.toThrow(InvalidEventError);
    await expect(createEventStore('mysql://localhost/db')).rejects.toThrow(/postgres:\/\/, pglite:\/\/<dir>, pglite:memory, esdb:\/\/ or kurrentdb:\/\//);
  });

  it('leaves the EventStoreDB client unloaded in a process that opens no EventStoreDB URL', () => {
    // A process of its own: jest's module registry is not the one a service runs with.
    const loaded = execFileSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        "require('@ordo/eventstore'); console.log(Object.keys(require.cache).filter((file) => file.includes('@eventstore/db-client')).length)",
      ],
      { cwd: REPOSITORY, encoding: 'utf8' },
    );
    expect(Number(loaded.trim())).toBe(0);
  });
});
