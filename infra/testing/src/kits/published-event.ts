/**
 * A recorded event as the relay publishes it on an event topic (the bus hands consumers
 * this JSON): revision and position as strings. For unit tests of a consumer's parser.
 */
export const publishedEvent = (type: string, data: unknown, { stream = 'product-SKU-1', revision = '0' }: { stream?: string; revision?: string } = {}) => ({
  id: 'b0a5b8a2-1111-4c1e-8a7b-3d5e9f0a1b2c',
  type,
  stream,
  revision,
  position: '17',
  data,
  metadata: { correlationId: 'c', causationId: 'c', schemaVersion: 1 },
  recordedAt: '2025-03-01T10:00:00.000Z',
});
