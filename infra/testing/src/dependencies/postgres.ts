import { PostgreSqlContainer } from '@testcontainers/postgresql';
import pg from 'pg';
import type { DependencySource } from './provide';

export const LOCAL_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export const checkPostgres = async (url: string): Promise<void> => {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('select 1');
  } finally {
    await client.end().catch(() => undefined);
  }
};

export const postgresSource: DependencySource = {
  name: 'PostgreSQL',
  envVar: 'DATABASE_URL',
  check: checkPostgres,
  startContainer: async () => {
    const container = await new PostgreSqlContainer('postgres:16-alpine').start();
    return {
      address: container.getConnectionUri(),
      detail: 'container postgres:16-alpine',
      stop: async () => void (await container.stop()),
    };
  },
  startLocal: async () => {
    await checkPostgres(LOCAL_DATABASE_URL);
    return { address: LOCAL_DATABASE_URL, detail: 'local server at 127.0.0.1:5432' };
  },
  ways: [
    'set DATABASE_URL to a PostgreSQL you can create schemas in (postgres://user:password@host:5432/db)',
    'start a Docker engine, and testcontainers runs postgres:16-alpine',
    'run PostgreSQL on 127.0.0.1:5432 with user postgres (trust auth, or a password in DATABASE_URL)',
  ],
};
