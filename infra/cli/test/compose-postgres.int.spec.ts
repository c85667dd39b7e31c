import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { testEnvironment } from '@ordo/testing';

// Compose mode's PostgreSQL set-up (infra/compose/postgres-init.sh, which the postgres image
// runs on its first start) against the real server, as the image runs it: each service's
// role has its password and owns its database, and no other role may connect to it. The
// test's PostgreSQL may trust every connection, so isolation is asserted through privileges.

const SCRIPT = path.resolve(__dirname, '../../compose/postgres-init.sh');

const at = (url: string, user: string, database: string) => {
  const next = new URL(url);
  next.username = user;
  next.password = '';
  next.pathname = `/${database}`;
  return next.toString();
};
const query = async (url: string, sql: string) => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
};

describe("compose mode's role and database per service", () => {
  const { databaseUrl } = testEnvironment();
  const admin = new URL(databaseUrl);
  const suffix = randomBytes(3).toString('hex');
  // A password with what SQL would need quoted: the script hands it to psql as a variable.
  const databases = [
    { name: `t_compose_${suffix}_ordo_alpha`, password: `it's "a" pass;word` },
    { name: `t_compose_${suffix}_ordo_beta`, password: randomBytes(24).toString('base64url') },
  ];
  const [alpha, beta] = databases as [(typeof databases)[number], (typeof databases)[number]];
  const run = (entries: string) =>
    execFileSync('bash', [SCRIPT], {
      env: {
        PATH: process.env.PATH ?? '',
        ORDO_DATABASES: entries,
        POSTGRES_USER: decodeURIComponent(admin.username) || 'postgres',
        PGHOST: admin.hostname,
        PGPORT: admin.port || '5432',
        ...(admin.password && { PGPASSWORD: decodeURIComponent(admin.password) }),
      },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });

  afterAll(async () => {
    for (const { name } of databases) {
      await query(databaseUrl, `drop database if exists ${pg.escapeIdentifier(name)}`);
      await query(databaseUrl, `drop role if exists ${pg.escapeIdentifier(name)}`);
    }
  });

  it('makes each role with its password, owning its database, and nobody else may connect to it', async () => {
    const output = run(databases.map(({ name, password }) => `${name}:${password}`).join(','));
    expect(output).toContain(`ordo: role and database ${alpha.name}`);
    expect(output).toContain(`ordo: role and database ${beta.name}`);

    for (const { name } of databases) {
      const [role] = await query(
        databaseUrl,
        `select rolcanlogin, rolpassword is not null as has_password from pg_authid where rolname = ${pg.escapeLiteral(name)}`,
      );
      expect(role).toEqual({ rolcanlogin: true, has_password: true });
      const [owner] = await query(databaseUrl, `select pg_get_userbyid(datdba) as owner from pg_database where datname = ${pg.escapeLiteral(name)}`);
      expect(owner).toEqual({ owner: name });
      // Its own: it connects and creates a table in public.
      await query(at(databaseUrl, name, name), 'create table own (id int)');
    }
    await expect(query(at(databaseUrl, beta.name, alpha.name), 'select 1')).rejects.toThrow(/permission denied for database/);
  });

  it('fails, naming the variable, without ORDO_DATABASES', () => {
    expect(() => run('')).toThrow(/ORDO_DATABASES is not set/);
  });
});
