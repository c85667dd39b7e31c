import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { testEnvironment } from '@ordo/testing';
import { databaseNameOf, dropServiceDatabases, provisionServiceDatabases, type Provisioned } from '../src/databases';

// Local mode's database per service (src/databases.ts) against the real server: what each
// service's role may do in its own database, what it and everyone else may not do in
// another's, and that provisioning twice is provisioning once. The test's PostgreSQL may
// trust every connection (as the local one does), so isolation is asserted through
// privileges, which hold whatever the authentication.

const SERVICES = [{ name: 'alpha' }, { name: 'beta-gamma' }];
/** Created by hand before provisioning, as a run cut short would leave it. */
const HALF_MADE = { name: 'delta' };

/** The URL with another user (and its password) or database; the rest, host and options, kept. */
const at = (url: string, { user, password, database }: { user?: string; password?: string; database?: string }) => {
  const next = new URL(url);
  if (user !== undefined) {
    next.username = user;
    next.password = password ?? '';
  }
  if (database !== undefined) next.pathname = `/${database}`;
  return next.toString();
};

const withClient = async <T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
};

describe('a database per service', () => {
  const env = testEnvironment();
  const prefix = `t_db_${randomBytes(3).toString('hex')}_`;
  const otherPrefix = `${prefix}na_`;
  const bystander = `${prefix}x_bystander`;
  const administrator = `${prefix}x_admin`;
  // Roles of the test's own carry passwords, so it runs on a server that checks them too.
  const password = randomBytes(12).toString('hex');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ordo-databases-'));
  const passwordsFile = path.join(dataDir, 'database-passwords');
  const admin = (query: string, values?: unknown[]) => withClient(env.databaseUrl, (client) => client.query(query, values));
  let provisioned: Provisioned;
  type Database = Provisioned['databases'][number];
  /** A service's own URL (its role and password) aimed at another database. */
  const crossed = (from: Database, database: string) => at(from.url, { database });
  const alphaOf = () => provisioned.databases[0] as Database;

  /** Every role and database of this run's prefix, with what a run could change about them. */
  const snapshot = async () => {
    const roles = await admin(`select rolname, oid::text, rolpassword, rolcanlogin, rolsuper from pg_authid where starts_with(rolname, $1) order by rolname`, [
      `${prefix}ordo_`,
    ]);
    const databases = await admin(
      `select datname, oid::text, pg_get_userbyid(datdba) as owner, datacl::text from pg_database where starts_with(datname, $1) order by datname`,
      [`${prefix}ordo_`],
    );
    const publicSchemas = [];
    for (const { datname } of databases.rows as { datname: string }[])
      publicSchemas.push(
        await withClient(at(env.databaseUrl, { database: datname }), async (client) => {
          const { rows } = await client.query(`select nspacl::text from pg_namespace where nspname = 'public'`);
          return { datname, ...rows[0] };
        }),
      );
    return { roles: roles.rows, databases: databases.rows, publicSchemas };
  };

  beforeAll(async () => {
    provisioned = await provisionServiceDatabases(env.databaseUrl, SERVICES, prefix, dataDir);
  });
  afterAll(async () => {
    await dropServiceDatabases(env.databaseUrl, [...SERVICES, HALF_MADE], prefix);
    await dropServiceDatabases(env.databaseUrl, [{ name: 'epsilon' }], otherPrefix);
    await admin(`drop role if exists ${pg.escapeIdentifier(bystander)}`);
    await admin(`drop role if exists ${pg.escapeIdentifier(administrator)}`);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('names each role and database after its service and the prefix, owned by the role, with a password kept readable by its owner alone', async () => {
    const alpha = `${prefix}ordo_alpha`;
    const betaGamma = `${prefix}ordo_beta_gamma`;
    expect(provisioned.databases.map(({ service, role, database }) => ({ service, role, database }))).toEqual([
      { service: 'alpha', role: alpha, database: alpha },
      { service: 'beta-gamma', role: betaGamma, database: betaGamma },
    ]);
    expect(provisioned.changes).toEqual(
      expect.arrayContaining([`created role ${alpha}`, `created database ${alpha}`, `created role ${betaGamma}`, `created database ${betaGamma}`]),
    );

    const kept = fs.readFileSync(passwordsFile, 'utf8');
    expect(fs.statSync(passwordsFile).mode & 0o777).toBe(0o600);
    for (const { role, url } of provisioned.databases) {
      const parsed = new URL(url);
      expect({ user: parsed.username, database: parsed.pathname, host: parsed.host }).toEqual({
        user: role,
        database: `/${role}`,
        host: new URL(env.databaseUrl).host,
      });
      expect(parsed.password.length).toBeGreaterThanOrEqual(32);
      expect(kept).toContain(`${role}:${decodeURIComponent(parsed.password)}\n`);
    }
    // Two roles, two passwords: one leaked URL opens one database.
    expect(new Set(provisioned.databases.map(({ url }) => new URL(url).password)).size).toBe(2);

    const { databases, roles } = await snapshot();
    expect(databases.map(({ datname, owner }) => ({ datname, owner }))).toEqual([
      { datname: alpha, owner: alpha },
      { datname: betaGamma, owner: betaGamma },
    ]);
    // Plain login roles: a superuser role would pass every privilege check.
    expect(roles.map(({ rolname, rolcanlogin, rolsuper }) => ({ rolname, rolcanlogin, rolsuper }))).toEqual([
      { rolname: alpha, rolcanlogin: true, rolsuper: false },
      { rolname: betaGamma, rolcanlogin: true, rolsuper: false },
    ]);
  });

  it("lets each service's role create its schema and tables in its own database, and read them", async () => {
    for (const { service, role, database, url } of provisioned.databases) {
      const schema = service.replaceAll('-', '_');
      const rows = await withClient(url, async (client) => {
        const { rows: who } = await client.query(`select current_user as "user", current_database() as database`);
        expect(who).toEqual([{ user: role, database }]);
        await client.query(`create schema ${schema}`);
        await client.query(`create table ${schema}.notes (id int primary key, text text not null)`);
        await client.query(`insert into ${schema}.notes values (1, $1)`, [`kept by ${service}`]);
        return (await client.query(`select text from ${schema}.notes`)).rows;
      });
      expect(rows).toEqual([{ text: `kept by ${service}` }]);
    }
  });

  it("refuses one service's role a connection to another service's database", async () => {
    const [alpha, betaGamma] = provisioned.databases as [Database, Database];
    await expect(withClient(crossed(alpha, betaGamma.database), (client) => client.query('select 1'))).rejects.toMatchObject({
      code: '42501',
      message: `permission denied for database "${betaGamma.database}"`,
    });
    await expect(withClient(crossed(betaGamma, alpha.database), (client) => client.query('select 1'))).rejects.toMatchObject({
      code: '42501',
      message: `permission denied for database "${alpha.database}"`,
    });
  });

  it('leaves any other role no way in: no connection, and even one granted CONNECT cannot create in the public schema', async () => {
    const alpha = alphaOf();
    await admin(`create role ${pg.escapeIdentifier(bystander)} login password ${pg.escapeLiteral(password)}`);
    const asBystander = at(env.databaseUrl, { user: bystander, password, database: alpha.database });
    await expect(withClient(asBystander, (client) => client.query('select 1'))).rejects.toMatchObject({ code: '42501' });

    await admin(`grant connect on database ${pg.escapeIdentifier(alpha.database)} to ${pg.escapeIdentifier(bystander)}`);
    await expect(withClient(asBystander, (client) => client.query('create table public.squatter (id int)'))).rejects.toMatchObject({
      code: '42501',
      message: 'permission denied for schema public',
    });
    // Nor can it read the service's own schema.
    await expect(withClient(asBystander, (client) => client.query('select * from alpha.notes'))).rejects.toMatchObject({ code: '42501' });
  });

  it('changes nothing on a second run: the same roles, databases, privileges and passwords', async () => {
    const before = await snapshot();
    const kept = fs.readFileSync(passwordsFile, 'utf8');
    const second = await provisionServiceDatabases(env.databaseUrl, SERVICES, prefix, dataDir);
    expect(second.changes).toEqual([]);
    expect(second.databases).toEqual(provisioned.databases);
    expect(fs.readFileSync(passwordsFile, 'utf8')).toBe(kept);
    expect(await snapshot()).toEqual(before);
  });

  it('repairs what a run cut short left: a database still owned by the administrator and open to everyone', async () => {
    const name = databaseNameOf(HALF_MADE, prefix);
    await admin(`create database ${pg.escapeIdentifier(name)}`);
    const { changes } = await provisionServiceDatabases(env.databaseUrl, [HALF_MADE], prefix, dataDir);
    expect(changes).toEqual([
      `created role ${name}`,
      expect.stringMatching(new RegExp(`^gave database ${name} to role ${name}`)),
      `revoked connect on database ${name} from public`,
      `revoked all on schema public of ${name} from public`,
    ]);
    const { databases } = await snapshot();
    expect(databases.find(({ datname }) => datname === name)).toMatchObject({ owner: name });
    await expect(withClient(crossed(alphaOf(), name), (client) => client.query('select 1'))).rejects.toMatchObject({ code: '42501' });
  });

  it('gives a role a new password when the kept one is lost, and keeps it', async () => {
    const before = await snapshot();
    fs.rmSync(passwordsFile);
    const again = await provisionServiceDatabases(env.databaseUrl, SERVICES, prefix, dataDir);
    expect(again.changes).toEqual(
      SERVICES.map((service) => expect.stringMatching(new RegExp(`^set a new password for role ${databaseNameOf(service, prefix)} `))),
    );
    const after = await snapshot();
    for (const role of after.roles.filter(({ rolname }) => SERVICES.some((service) => databaseNameOf(service, prefix) === rolname)))
      expect(role.rolpassword).not.toBe(before.roles.find(({ rolname }) => rolname === role.rolname)?.rolpassword);
    expect(again.databases.map(({ url }) => url)).not.toEqual(provisioned.databases.map(({ url }) => url));
    // The later tests connect with the passwords the roles have now.
    provisioned = again;
    expect((await provisionServiceDatabases(env.databaseUrl, SERVICES, prefix, dataDir)).changes).toEqual([]);
  });

  it('provisions as an administrator that is no superuser, with CREATEROLE and CREATEDB', async () => {
    await admin(`create role ${pg.escapeIdentifier(administrator)} login password ${pg.escapeLiteral(password)} createrole createdb`);
    const { databases } = await provisionServiceDatabases(at(env.databaseUrl, { user: administrator, password }), [{ name: 'epsilon' }], otherPrefix, dataDir);
    const [epsilon] = databases as [Database];
    expect(new URL(epsilon.url).username).toBe(`${otherPrefix}ordo_epsilon`);
    const owner = await admin('select pg_get_userbyid(datdba) as owner from pg_database where datname = $1', [epsilon.database]);
    expect(owner.rows).toEqual([{ owner: epsilon.role }]);
    await withClient(epsilon.url, (client) => client.query('create schema epsilon; create table epsilon.t (id int)'));
    await expect(withClient(crossed(alphaOf(), epsilon.database), (client) => client.query('select 1'))).rejects.toMatchObject({
      code: '42501',
    });
  });

  it('refuses a prefix that would not make a plain SQL name, before touching the server', async () => {
    expect(() => databaseNameOf({ name: 'orders' }, 'Test-')).toThrow(/'Test-ordo_orders' is no database name/);
    expect(() => databaseNameOf({ name: 'orders' }, 'x'.repeat(60))).toThrow(/at most 63/);
    await expect(provisionServiceDatabases('postgres://nobody@127.0.0.1:1/none', [{ name: 'orders' }], 'a"; drop', dataDir)).rejects.toThrow(
      /is no database name/,
    );
  });

  it('drops every database and role it made, for tests and benchmarks', async () => {
    await dropServiceDatabases(env.databaseUrl, [...SERVICES, HALF_MADE], prefix);
    const { roles, databases } = await snapshot();
    expect({ roles, databases }).toEqual({ roles: [], databases: [] });
  });
});
