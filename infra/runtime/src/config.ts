import { z } from 'zod';

export interface ConfigProblem {
  variable: string;
  problem: string;
}

/** Every bad variable at once, so a start fails with one message, not one per retry. */
export class ConfigError extends Error {
  constructor(
    readonly service: string,
    readonly problems: ConfigProblem[],
  ) {
    super(`invalid configuration for ${service}:\n${problems.map((p) => `  ${p.variable}: ${p.problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

// Values of these are never echoed back in an error.
const SECRET = /TOKEN|SECRET|PASSWORD|KEY|CREDENTIAL/i;

// A connection URL carries its password whatever the variable is called (DATABASE_URL).
const withoutPassword = (value: string): string => {
  if (!URL.canParse(value)) return value;
  const url = new URL(value);
  if (!url.password) return value;
  url.password = '***';
  return url.href;
};

const describeValue = (variable: string, value: string | undefined): string => {
  if (value === undefined) return 'not set';
  if (SECRET.test(variable)) return 'got a value (hidden)';
  return `got ${JSON.stringify(withoutPassword(value))}`;
};

/**
 * Reads a service's configuration from the environment once, at start. The schema's
 * keys are variable names; `env` helpers below give defaults that work in local mode.
 */
export const loadConfig = <Shape extends z.ZodRawShape>(
  service: string,
  shape: Shape,
  source: NodeJS.ProcessEnv = process.env,
): z.infer<z.ZodObject<Shape>> => {
  // An empty variable (`PORT=` in a compose file) means unset, so its default applies.
  const set = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value !== ''));
  const result = z.object(shape).safeParse(set);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const variable = String(issue.path[0] ?? '(root)');
    return { variable, problem: `${issue.message} (${describeValue(variable, set[variable])})` };
  });
  throw new ConfigError(service, problems);
};

/** Field types for environment variables, which are always strings. */
export const env = {
  string: () => z.string({ error: 'expected a value' }),
  port: () =>
    z.coerce
      .number({ error: 'expected a port number' })
      .int('expected a port number')
      .min(0, 'expected a port number from 0 to 65535')
      .max(65535, 'expected a port number from 0 to 65535'),
  int: () => z.coerce.number({ error: 'expected a whole number' }).int('expected a whole number'),
  url: (protocols?: string[]) => {
    const expected = protocols ? `expected a URL (${protocols.map((p) => `${p}://`).join(' or ')})` : 'expected a URL';
    return z
      .string({ error: expected })
      .refine((value) => URL.canParse(value) && (!protocols || protocols.includes(new URL(value).protocol.replace(/:$/, ''))), { message: expected });
  },
  boolean: () => z.enum(['true', 'false', '1', '0'], { error: 'expected true or false' }).transform((value) => value === 'true' || value === '1'),
  /** A comma-separated list: `a,b, c` becomes ['a', 'b', 'c']. */
  list: () =>
    z.string({ error: 'expected a comma-separated list' }).transform((value) =>
      value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
    ),
  /**
   * `name=url` entries, comma-separated (`customers=http://127.0.0.1:3005,...`): URLs by
   * name, without trailing slashes. A name given twice has two URLs, in the order given
   * (replicas of one service: `orders=http://a:3003,orders=http://b:3003`).
   */
  namedUrls: () =>
    z.string({ error: 'expected name=url entries' }).transform((value, context) => {
      const urls = new Map<string, string[]>();
      for (const entry of value
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean)) {
        const [name, url] = [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)];
        if (!name || !URL.canParse(url)) context.addIssue({ code: 'custom', message: `expected name=url entries, not '${entry}'` });
        else urls.set(name, [...(urls.get(name) ?? []), url.replace(/\/+$/, '')]);
      }
      return urls as ReadonlyMap<string, readonly string[]>;
    }),
  logLevel: () =>
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'expected one of fatal, error, warn, info, debug, trace, silent',
    }),
};

/** What every service reads; each service spreads this into its own shape. */
export const serviceConfigShape = {
  PORT: env.port().default(3000),
  HOST: env.string().default('127.0.0.1'),
  LOG_LEVEL: env.logLevel().default('info'),
  /** Traces are exported only when this is set. */
  OTEL_EXPORTER_OTLP_ENDPOINT: env.url(['http', 'https']).optional(),
  SHUTDOWN_TIMEOUT_MS: env.int().default(10_000),
};
