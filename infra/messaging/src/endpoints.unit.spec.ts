import { z } from 'zod';
import { CommandEndpointError, commandEndpoint } from './endpoints';

const Reserve = z.object({ sku: z.string(), orderId: z.string(), quantity: z.number().default(1) });
const Reserved = z.object({ sku: z.string() });
const Refused = z.object({ sku: z.string(), reason: z.string() });

describe('a command endpoint', () => {
  it('takes its command and reply types from the names its schemas are given under', () => {
    const endpoint = commandEndpoint('stock', { Reserve }, { aggregateId: ({ sku }) => sku, success: { Reserved }, failure: { Refused } });
    expect(endpoint).toMatchObject({ target: 'stock', command: 'Reserve', schema: Reserve, success: { Reserved }, failure: { Refused } });
  });

  it('reads the aggregate a command addresses from the data its sender builds, defaults not yet applied', () => {
    const endpoint = commandEndpoint('stock', { Reserve }, { aggregateId: ({ sku, quantity }) => `${sku}/${quantity ?? 'default'}`, success: { Reserved } });
    expect(endpoint.aggregateId({ sku: 'SKU-1', orderId: 'o-1' })).toBe('SKU-1/default');
  });

  it('has no failures unless it is given some', () => {
    expect(commandEndpoint('stock', { Reserve }, { aggregateId: ({ sku }) => sku, success: { Reserved } }).failure).toEqual({});
  });

  it('takes exactly one command', () => {
    const replies = { aggregateId: () => 'SKU-1', success: { Reserved } };
    expect(() => commandEndpoint('stock', { Reserve, Release: Reserve }, replies)).toThrow(
      new CommandEndpointError('an endpoint of stock takes one command, not 2'),
    );
    expect(() => commandEndpoint('stock', {}, replies)).toThrow(CommandEndpointError);
  });
});
