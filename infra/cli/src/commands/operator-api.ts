// The shop's dead-letter routes (infra/host dead-letter-routes.ts) as the CLI calls them:
// every known server is asked, and the one that owns a consumer answers for it.
import { CliFailure, describe } from './failure';
import type { Endpoint } from './target';

export interface ParkedKeyRow {
  consumer: string;
  key: string;
  count: number;
  firstError: string;
  parkedAt: string;
}

export interface ParkedMessageRow {
  sequence: string;
  key: string;
  topic: string;
  partition: number;
  offset: string;
  messageId?: string;
  headers: Record<string, string>;
  value: string | null;
  error: string;
  attempts: number;
  parkedAt: string;
}

export interface RedriveRow {
  consumer: string;
  key: string;
  applied: number;
  remaining: number;
  error?: string;
}

export interface OperatorApi {
  /** Each server's parked keys; a server that cannot be reached is reported, the others still answer. */
  listAll(): Promise<{ rows: ParkedKeyRow[]; unreachable: string[] }>;
  /** The server that runs the consumer, with its parked keys; fails listing every consumer there is. */
  ownerOf(consumer: string): Promise<{ endpoint: Endpoint; keys: ParkedKeyRow[] }>;
  messages(endpoint: Endpoint, consumer: string, key: string): Promise<ParkedMessageRow[]>;
  redrive(endpoint: Endpoint, consumer: string, key: string): Promise<RedriveRow>;
}

class Unreachable extends CliFailure {}

export const operatorApi = (endpoints: Endpoint[], token: string, timeoutMs: number): OperatorApi => {
  const call = async <T>(endpoint: Endpoint, method: 'GET' | 'POST', path: string): Promise<{ status: number; body: T }> => {
    let response: Response;
    try {
      response = await fetch(`${endpoint.url}${path}`, { method, headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      const why = error instanceof DOMException && error.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : describe(error);
      throw new Unreachable(`cannot reach ${endpoint.name} at ${endpoint.url}: ${why}; is the shop running (npm start, npm run start:local)?`);
    }
    const text = await response.text();
    const body = (text ? JSON.parse(text) : undefined) as T;
    if (response.status === 401)
      throw new CliFailure(`${endpoint.name} at ${endpoint.url} refused the token (401): set ORDO_TOKEN, or ORDO_DATA_DIR to the shop's data folder`);
    if (response.status === 403)
      throw new CliFailure(`${endpoint.name} at ${endpoint.url} refused the token (403): the dead-letter routes need the operator role`);
    if (response.status >= 400 && response.status !== 404) {
      const detail = (body as { detail?: string } | undefined)?.detail ?? text;
      throw new CliFailure(`${endpoint.name} at ${endpoint.url} answered ${response.status}: ${detail}`);
    }
    return { status: response.status, body };
  };
  const encoded = (...parts: string[]) => parts.map(encodeURIComponent).join('/');

  return {
    listAll: async () => {
      const rows: ParkedKeyRow[] = [];
      const unreachable: string[] = [];
      for (const endpoint of endpoints) {
        try {
          const { status, body } = await call<ParkedKeyRow[]>(endpoint, 'GET', '/v1/dead-letters');
          if (status === 200) rows.push(...body);
        } catch (error) {
          if (!(error instanceof Unreachable)) throw error;
          unreachable.push(error.message);
        }
      }
      return { rows, unreachable };
    },
    ownerOf: async (consumer) => {
      const known = new Set<string>();
      for (const endpoint of endpoints) {
        const { status, body } = await call<ParkedKeyRow[] | { consumers?: string[] }>(endpoint, 'GET', `/v1/dead-letters/${encoded(consumer)}`);
        if (status === 200) return { endpoint, keys: body as ParkedKeyRow[] };
        for (const name of (body as { consumers?: string[] } | undefined)?.consumers ?? []) known.add(name);
      }
      throw new CliFailure(`no consumer '${consumer}'; the consumers are: ${[...known].sort().join(', ') || 'none'}`);
    },
    messages: async (endpoint, consumer, key) => (await call<ParkedMessageRow[]>(endpoint, 'GET', `/v1/dead-letters/${encoded(consumer, key)}`)).body,
    redrive: async (endpoint, consumer, key) => (await call<RedriveRow>(endpoint, 'POST', `/v1/dead-letters/${encoded(consumer, key)}/redrive`)).body,
  };
};
