// A database per service in local mode (docs/decisions.md, "A database per service"): the
// supervisor, connected as an administrator, gives every service a role and a database of
// its own, owned by that role and closed to every other, and hands each service a URL
// with its own role. The service's schema inside it stays its name.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { ServiceDefinition } from '@ordo/host';

const PASSWORDS_FILE = 'database-passwords';
// PostgreSQL truncates identifiers past 63 bytes: two long names could collide silently.
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
// Serialises provisioning runs on one server (two supervisors, a test beside a shop):
// CREATE ROLE and CREATE DATABASE have no IF NOT EXISTS to make a race harmless.
const PROVISIONING_LOCK = 'ordo-provision-service-databases';

type Named = Pick<ServiceDefinition, 'name'>;

export interface ServiceDatabase {
  service: string;
  /** The role and the database share this name: `<prefix>ordo_<service>`, '-' as '_'. */
  role: string;
  database: string;
  /** The administrator's URL with the service's role, password and database. */
  url: string;
}

export interface Provisioned {
  databases: ServiceDatabase[];
  /** What this run changed, one line each; none when every database was already in place. */
  changes: string[];
}

/** The name of a service's role and of its database. */
export const databaseNameOf = (service: Named, prefix = ''): string => {
  const name = `${prefix}ordo_${service.name.replaceAll('-', '_')}`;
  if (!IDENTIFIER.test(name)) throw new Error(`'${name}' is no database name: a prefix is lowercase letters, digits and '_', and the name at most 63 of them`);
  return name;
};

/** `role:password` lines, as the file keeps them. */
const readPasswords = (file: string): Map<string, string> =>
  new Map(
    (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '')
      .split('\n')
      .map((line) => line.trim().split(':'))
      .filter((parts): parts is [string, string] => parts.length === 2 && parts.every(Boolean)),
  );

const writePasswords = (file: string, passwords: Map<string, string>) => {
  // Written aside and renamed, so a reader never sees half a file; readable by its owner alone.
  const aside = `${file}.${process.pid}`;
  fs.writeFileSync(aside, [...passwords].map(([role, password]) => `${role}:${password}\n`).join(''), { mode: 0o600 });
  fs.renameSync(aside, file);
};

const urlOf = (adminUrl: string, database: string, credentials?: { role: string; password: string }): string => {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  if (credentials) {
    url.username = credentials.role;
    // The setters percent-encode what a URL cannot hold as is.
    url.password = credentials.password;
  }
  return url.toString();
};

/**
 * Each service's database and URL, from the passwords kept in `dataDir`; throws for a
 * service that was never provisioned there. Changes nothing.
 */
export const serviceDatabases = (adminUrl: string, services: readonly Named[], prefix: string, dataDir: string): ServiceDatabase[] => {
  const passwords = readPasswords(path.join(dataDir, PASSWORDS_FILE));
  return services.map((service) => {
    const role = databaseNameOf(service, prefix);
    const password = passwords.get(role);
    if (!password) throw new Error(`no password kept for ${role} in ${path.join(dataDir, PASSWORDS_FILE)}: provision the databases first`);
    return { service: service.name, role, database: role, url: urlOf(adminUrl, role, { role, password }) };
  });
};

const connect = async (url: string) => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
};

/**
 * Gives every service a login role and a database it owns (`<prefix>ordo_<name>`), with a
 * random password per role kept in `<dataDir>/database-passwords` (0600). Nobody but the
 * owner may connect to the database (CONNECT revoked from PUBLIC) or use its `public`
 * schema. Idempotent: a later run reuses the roles, databases and passwords, and repairs
 * only what is missing (a run cut short, a lost password file). `adminUrl` must be a
 * superuser, or a role with CREATEROLE and CREATEDB (it is made a member of each service's
 * role, which PostgreSQL asks of whoever hands a database to another owner).
 */
export const provisionServiceDatabases = async (adminUrl: string, services: readonly Named[], prefix: string, dataDir: string): Promise<Provisioned> => {
  const names = services.map((service) => databaseNameOf(service, prefix));
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, PASSWORDS_FILE);
  const passwords = readPasswords(file);
  const changes: string[] = [];
  const admin = await connect(adminUrl);
  try {
    await admin.query('select pg_advisory_lock(hashtext($1))', [PROVISIONING_LOCK]);
    const { rows } = await admin.query<{ superuser: boolean }>('select rolsuper as superuser from pg_roles where rolname = current_user');
    const superuser = rows[0]?.superuser === true;
    for (const name of names) {
      const role = pg.escapeIdentifier(name);
      const known = (await admin.query<{ login: boolean }>('select rolcanlogin as login from pg_roles where rolname = $1', [name])).rows[0];
      const kept = passwords.get(name);
      if (!known || !kept) {
        const password = kept ?? randomBytes(24).toString('base64url');
        // Kept before the role gets it: a crash in between leaves a password the next run sets again.
        passwords.set(name, password);
        writePasswords(file, passwords);
        if (!known) await admin.query(`create role ${role} login password ${pg.escapeLiteral(password)}`);
        else await admin.query(`alter role ${role} login password ${pg.escapeLiteral(password)}`);
        changes.push(known ? `set a new password for role ${name} (none was kept in ${file})` : `created role ${name}`);
      } else if (!known.login) {
        await admin.query(`alter role ${role} login`);
        changes.push(`let role ${name} log in`);
      }
      if (!superuser) {
        const member = (await admin.query<{ member: boolean }>(`select pg_has_role(current_user, $1, 'member') as member`, [name])).rows[0]?.member;
        if (!member) await admin.query(`grant ${role} to current_user`);
      }

      const database = (await admin.query<{ owner: string }>('select pg_get_userbyid(datdba) as owner from pg_database where datname = $1', [name])).rows[0];
      if (!database) {
        await admin.query(`create database ${role} owner ${role}`);
        changes.push(`created database ${name}`);
      } else if (database.owner !== name) {
        await admin.query(`alter database ${role} owner to ${role}`);
        changes.push(`gave database ${name} to role ${name} (it was ${database.owner}'s)`);
      }
      // Checked every run, not only after a create: a run cut short between the create and
      // the revoke would otherwise leave the database open for good.
      const open = (await admin.query<{ open: boolean }>(`select has_database_privilege('public', $1, 'connect') as open`, [name])).rows[0]?.open;
      if (open) {
        await admin.query(`revoke all on database ${role} from public`);
        changes.push(`revoked connect on database ${name} from public`);
      }
      const inside = await connect(urlOf(adminUrl, name));
      try {
        const usable = (
          await inside.query<{ usable: boolean }>(
            `select has_schema_privilege('public', 'public', 'usage') or has_schema_privilege('public', 'public', 'create') as usable`,
          )
        ).rows[0]?.usable;
        if (usable) {
          await inside.query('revoke all on schema public from public');
          changes.push(`revoked all on schema public of ${name} from public`);
        }
      } finally {
        await inside.end();
      }
    }
  } finally {
    // Ending the session releases the advisory lock too.
    await admin.end();
  }
  return { databases: serviceDatabases(adminUrl, services, prefix, dataDir), changes };
};

/** Drops the services' databases (closing their connections) and roles, where they exist: for tests and benchmarks. */
export const dropServiceDatabases = async (adminUrl: string, services: readonly Named[], prefix: string): Promise<void> => {
  const admin = await connect(adminUrl);
  try {
    for (const name of services.map((service) => databaseNameOf(service, prefix))) {
      await admin.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`);
      await admin.query(`drop role if exists ${pg.escapeIdentifier(name)}`);
    }
  } finally {
    await admin.end();
  }
};
