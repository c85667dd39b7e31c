// What customers' int specs share: the callers, a way to call the service as one of them
// (a token, or a chosen loopback address: each address is another anonymous caller), and
// the events the service recorded.
import http from 'node:http';
import { CUSTOMERS_STREAM_PREFIXES, type Address } from '@ordo/customers-contract';
import type { EventStore, RecordedEvent } from '@ordo/eventstore';
import type { Principal } from '@ordo/http';

export const NOW = '2025-03-01T10:00:00.000Z';

export const TOKENS = new Map<string, Principal>([
  ['token-alice', { subject: 'alice', roles: ['customer'] }],
  ['token-bob', { subject: 'bob', roles: ['customer'] }],
  ['token-support', { subject: 'support', roles: ['viewer'] }],
  ['token-ops', { subject: 'ops', roles: ['operator'] }],
  // A token the chassis knows with no role at all: too low for any guarded route.
  ['token-roleless', { subject: 'roleless', roles: [] }],
]);

export const HOME: Address = { line1: '1 Main Street', city: 'Berlin', postalCode: '10115', country: 'DE' };
export const OFFICE: Address = { line1: '5 Quay', line2: 'Floor 2', city: 'Dublin', postalCode: 'D02 X285', country: 'IE' };

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown> & { id?: string; detail?: string; errors?: { in: string; path: string; message: string }[] };
}

export interface CallOptions {
  token?: string;
  /** The caller's address; default 127.0.0.1. */
  from?: string;
  headers?: Record<string, string>;
  body?: unknown;
}

export const call = (url: string, method: string, path: string, { token, from = '127.0.0.1', headers = {}, body }: CallOptions = {}) =>
  new Promise<Answer>((resolve, reject) => {
    const sent = body === undefined ? undefined : JSON.stringify(body);
    const allHeaders = { ...headers, ...(token && { authorization: `Bearer ${token}` }), ...(sent !== undefined && { 'content-type': 'application/json' }) };
    const outgoing = http.request(`${url}${path}`, { method, headers: allHeaders, localAddress: from }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text ? JSON.parse(text) : {} }));
    });
    outgoing.on('error', reject);
    outgoing.end(sent);
  });

/** The customer's id from a 201, failing the test on anything else. */
export const registeredId = (answer: Answer): string => {
  if (answer.status !== 201 || typeof answer.body.id !== 'string')
    throw new Error(`expected a registration, got ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body.id;
};

/** Every event the store holds, in store order. */
export const allEvents = async (store: EventStore): Promise<RecordedEvent[]> => {
  const events: RecordedEvent[] = [];
  for await (const event of store.readAll({ filter: { streamPrefixes: CUSTOMERS_STREAM_PREFIXES } })) events.push(event);
  return events;
};
