import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchRetryingRefusals } from './retry-refusals';

// A server that refuses the first requests as past capacity, then accepts: what the client
// sends, and when it gives up.

const serve = async (answers: { status: number; retryAfter?: string }[]) => {
  const keys: (string | undefined)[] = [];
  const server = http.createServer((request, response) => {
    keys.push(request.headers['idempotency-key'] as string | undefined);
    const answer = answers[Math.min(keys.length - 1, answers.length - 1)] as { status: number; retryAfter?: string };
    response.writeHead(answer.status, answer.retryAfter ? { 'retry-after': answer.retryAfter } : {});
    response.end(String(answer.status));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/orders`;
  return { url, keys, close: () => new Promise((resolve) => server.close(resolve)) };
};

const post = { method: 'POST', headers: { 'idempotency-key': 'key-1' }, body: '{}' };

describe('fetchRetryingRefusals', () => {
  it('sends a request refused with 503 and Retry-After again, with the same Idempotency-Key, until it is answered otherwise', async () => {
    const server = await serve([{ status: 503, retryAfter: '1' }, { status: 503, retryAfter: '1' }, { status: 201 }]);
    try {
      const response = await fetchRetryingRefusals(server.url, post);
      expect(response.status).toBe(201);
      expect(server.keys).toEqual(['key-1', 'key-1', 'key-1']);
    } finally {
      await server.close();
    }
  });

  it('returns a 503 without Retry-After, and any other failure, as it is', async () => {
    const server = await serve([{ status: 503 }]);
    try {
      expect((await fetchRetryingRefusals(server.url, post)).status).toBe(503);
      expect(server.keys).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('gives the refusal back once waiting again would pass its patience', async () => {
    const server = await serve([{ status: 503, retryAfter: '1' }]);
    try {
      expect((await fetchRetryingRefusals(server.url, post, 1_500)).status).toBe(503);
      expect(server.keys).toHaveLength(2);
    } finally {
      await server.close();
    }
  });
});
