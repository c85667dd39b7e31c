import type { ZodType } from 'zod';
import { ConfigError, env, loadConfig, serviceConfigShape } from './config';

// Given this environment, when a service loads its shape, then this configuration or
// this one ConfigError naming every bad variable.
const problemsOf = (load: () => unknown): ConfigError => {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError, but the configuration loaded');
};

describe('loadConfig with the shape every service shares', () => {
  const defaults = { PORT: 3000, HOST: '127.0.0.1', LOG_LEVEL: 'info', OTEL_EXPORTER_OTLP_ENDPOINT: undefined, SHUTDOWN_TIMEOUT_MS: 10_000 };

  it('applies the local defaults when nothing is set', () => {
    expect(loadConfig('orders', serviceConfigShape, {})).toEqual(defaults);
  });

  it('treats an empty variable as unset, so its default applies', () => {
    const source = { PORT: '', HOST: '', LOG_LEVEL: '', OTEL_EXPORTER_OTLP_ENDPOINT: '', SHUTDOWN_TIMEOUT_MS: '' };
    expect(loadConfig('orders', serviceConfigShape, source)).toEqual(defaults);
  });

  it('parses set variables into their types', () => {
    const source = { PORT: '8080', HOST: '0.0.0.0', LOG_LEVEL: 'debug', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', SHUTDOWN_TIMEOUT_MS: '2500' };
    expect(loadConfig('orders', serviceConfigShape, source)).toEqual({
      PORT: 8080,
      HOST: '0.0.0.0',
      LOG_LEVEL: 'debug',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      SHUTDOWN_TIMEOUT_MS: 2500,
    });
  });

  it('ignores variables the shape does not name', () => {
    expect(loadConfig('orders', serviceConfigShape, { PATH: '/usr/bin', HOME: '/root' })).toEqual(defaults);
  });

  it('lists every bad variable in one error, each with what it expects and what it got', () => {
    const source = { PORT: 'http', LOG_LEVEL: 'loud', OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://collector:4317', SHUTDOWN_TIMEOUT_MS: '1.5' };
    const error = problemsOf(() => loadConfig('orders', serviceConfigShape, source));
    expect(error.name).toBe('ConfigError');
    expect(error.service).toBe('orders');
    expect(error.problems).toEqual([
      { variable: 'PORT', problem: 'expected a port number (got "http")' },
      { variable: 'LOG_LEVEL', problem: 'expected one of fatal, error, warn, info, debug, trace, silent (got "loud")' },
      { variable: 'OTEL_EXPORTER_OTLP_ENDPOINT', problem: 'expected a URL (http:// or https://) (got "grpc://collector:4317")' },
      { variable: 'SHUTDOWN_TIMEOUT_MS', problem: 'expected a whole number (got "1.5")' },
    ]);
    expect(error.message).toBe(
      [
        'invalid configuration for orders:',
        '  PORT: expected a port number (got "http")',
        '  LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent (got "loud")',
        '  OTEL_EXPORTER_OTLP_ENDPOINT: expected a URL (http:// or https://) (got "grpc://collector:4317")',
        '  SHUTDOWN_TIMEOUT_MS: expected a whole number (got "1.5")',
      ].join('\n'),
    );
  });

  it.each(['-1', '65536'])('refuses port %s as out of range', (port) => {
    const error = problemsOf(() => loadConfig('orders', serviceConfigShape, { PORT: port }));
    expect(error.problems).toEqual([{ variable: 'PORT', problem: `expected a port number from 0 to 65535 (got "${port}")` }]);
  });

  it('accepts port 0, which asks the system for any free port (tests run services so)', () => {
    expect(loadConfig('orders', serviceConfigShape, { PORT: '0' }).PORT).toBe(0);
  });
});

describe('loadConfig with a service shape of its own', () => {
  it('reports a required variable that is missing, or empty, as not set', () => {
    const shape = { DATABASE_URL: env.url(['postgres']), KAFKA_BROKERS: env.list() };
    const error = problemsOf(() => loadConfig('orders', shape, { KAFKA_BROKERS: '' }));
    expect(error.problems).toEqual([
      { variable: 'DATABASE_URL', problem: 'expected a URL (postgres://) (not set)' },
      { variable: 'KAFKA_BROKERS', problem: 'expected a comma-separated list (not set)' },
    ]);
  });

  it.each(['PAYMENT_API_TOKEN', 'DB_PASSWORD', 'STRIPE_KEY', 'WEBHOOK_SECRET', 'AWS_CREDENTIALS'])('does not echo the value of %s', (variable) => {
    const error = problemsOf(() => loadConfig('payments', { [variable]: env.int() }, { [variable]: 'sk_live_do-not-print' }));
    expect(error.problems).toEqual([{ variable, problem: 'expected a whole number (got a value (hidden))' }]);
    expect(error.message).not.toContain('sk_live_do-not-print');
  });

  it('hides the password in a connection URL it refuses, whatever the variable is called', () => {
    const shape = { DATABASE_URL: env.url(['postgres']) };
    const error = problemsOf(() => loadConfig('orders', shape, { DATABASE_URL: 'postgresql://ordo:s3cret@db:5432/ordo' }));
    expect(error.problems).toEqual([{ variable: 'DATABASE_URL', problem: 'expected a URL (postgres://) (got "postgresql://ordo:***@db:5432/ordo")' }]);
    expect(error.message).not.toContain('s3cret');
  });
});

describe('env field helpers', () => {
  const one = <T extends ZodType>(field: T, value: string) => loadConfig('test', { VALUE: field }, { VALUE: value });

  it.each([
    ['kafka:9092', ['kafka:9092']],
    ['a,b, c', ['a', 'b', 'c']],
    [' a ,, b ,', ['a', 'b']],
  ])('list reads %j as %j', (value, expected) => {
    expect(one(env.list(), value).VALUE).toEqual(expected);
  });

  it.each([
    ['true', true],
    ['1', true],
    ['false', false],
    ['0', false],
  ])('boolean reads %j as %s', (value, expected) => {
    expect(one(env.boolean(), value).VALUE).toBe(expected);
  });

  it.each(['yes', 'TRUE', 'on'])('boolean refuses %j', (value) => {
    expect(problemsOf(() => one(env.boolean(), value)).problems).toEqual([{ variable: 'VALUE', problem: `expected true or false (got "${value}")` }]);
  });

  it('url with protocols accepts a URL of one of them', () => {
    expect(one(env.url(['postgres']), 'postgres://ordo@localhost:5432/ordo').VALUE).toBe('postgres://ordo@localhost:5432/ordo');
  });

  it.each(['mysql://ordo@localhost/ordo', 'http://localhost:5432', 'localhost:5432/ordo', 'not a url'])('url with protocols refuses %j', (value) => {
    expect(problemsOf(() => one(env.url(['postgres']), value)).problems).toEqual([
      { variable: 'VALUE', problem: `expected a URL (postgres://) (got ${JSON.stringify(value)})` },
    ]);
  });

  it('url without protocols accepts any URL and refuses what is not one', () => {
    expect(one(env.url(), 'redis://cache:6379').VALUE).toBe('redis://cache:6379');
    expect(problemsOf(() => one(env.url(), 'cache')).problems).toEqual([{ variable: 'VALUE', problem: 'expected a URL (got "cache")' }]);
  });

  it('int reads a whole number and refuses anything else', () => {
    expect(one(env.int(), '-42').VALUE).toBe(-42);
    expect(problemsOf(() => one(env.int(), 'ten')).problems).toEqual([{ variable: 'VALUE', problem: 'expected a whole number (got "ten")' }]);
  });
});
