import pino, { type Logger, type LoggerOptions } from 'pino';
import { currentWorkContext } from './context';
import { currentTraceIds } from './tracing';

/**
 * Secrets never reach a log line. pino's redaction takes explicit paths (a wildcard
 * covers one level), so these name the places Ordo puts credentials and card data.
 */
export const REDACTED_PATHS = [
  'password',
  '*.password',
  'token',
  '*.token',
  'secret',
  '*.secret',
  'apiKey',
  '*.apiKey',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'headers.cookie',
  '*.headers.cookie',
  'card',
  '*.card',
  'cardNumber',
  '*.cardNumber',
  'cvv',
  '*.cvv',
  'cvc',
  '*.cvc',
];

export interface LoggerSettings {
  service: string;
  level?: string;
  /** Human-readable lines; default: when stdout is a terminal outside production. */
  pretty?: boolean;
  /** Where lines go (tests capture them); default stdout. */
  destination?: pino.DestinationStream;
}

/**
 * JSON lines with the service name on each, and the correlation id and trace id of the
 * work in progress (request or message), so one order can be followed across services.
 */
export const createLogger = ({ service, level = 'info', pretty, destination }: LoggerSettings): Logger => {
  const options: LoggerOptions = {
    level,
    base: { service },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin: () => {
      const work = currentWorkContext();
      const ids = currentTraceIds();
      return { ...(work && { correlationId: work.correlationId }), ...(ids && { traceId: ids.traceId, spanId: ids.spanId }) };
    },
  };
  const wantsPretty = pretty ?? (process.stdout.isTTY === true && process.env.NODE_ENV !== 'production');
  if (destination) return pino(options, destination);
  if (wantsPretty) return pino({ ...options, transport: { target: 'pino-pretty', options: { ignore: 'pid,hostname' } } });
  return pino(options);
};

export type { Logger };
