import { simulatedProvider, TEST_CARDS } from '../simulated-provider';
import type { ProviderCall } from '../domain/payment';
import { askProvider, ProviderTimeout } from './provider';

const authorize: ProviderCall = { operation: 'authorize', orderId: 'o-1', amountCents: 2500, currency: 'EUR', cardToken: TEST_CARDS.ok };

describe('asking the payment provider', () => {
  it('makes the call under the idempotency key given, and tags the answer with its operation', async () => {
    const provider = simulatedProvider();
    const answer = await askProvider(provider, authorize, 'cmd-1', 1_000);
    expect(answer).toEqual({ operation: 'authorize', approved: true, reference: expect.stringMatching(/^auth_/) });
    expect(provider.calls()).toEqual([{ idempotencyKey: 'cmd-1', operation: 'authorize', orderId: 'o-1' }]);
    expect(provider.effects()).toEqual([expect.objectContaining({ idempotencyKey: 'cmd-1', amountCents: 2500 })]);
  });

  it.each([
    ['capture', { operation: 'capture', orderId: 'o-1', authorizationId: 'auth_x', amountCents: 5 }, 'no authorization auth_x'],
    ['void', { operation: 'void', orderId: 'o-1', authorizationId: 'auth_x', amountCents: 5 }, 'no authorization auth_x'],
    ['refund', { operation: 'refund', orderId: 'o-1', captureId: 'cap_x', amountCents: 5, reason: 'r' }, 'no capture cap_x'],
  ] as [string, ProviderCall, string][])('sends a %s to its own operation', async (_operation, call, reason) => {
    const provider = simulatedProvider();
    expect(await askProvider(provider, call, 'cmd-2', 1_000)).toEqual({ operation: call.operation, approved: false, reason });
    expect(provider.calls()).toEqual([expect.objectContaining({ operation: call.operation })]);
  });

  it("sends a void without an authorization id as a void by the order's reference, which closes the order at the provider", async () => {
    const provider = simulatedProvider();
    const voidOrder: ProviderCall = { operation: 'void', orderId: 'o-1', amountCents: 0 };
    expect(await askProvider(provider, voidOrder, 'cmd-5', 1_000)).toEqual({ operation: 'void', approved: true, reference: expect.stringMatching(/^void_/) });
    expect(await askProvider(provider, authorize, 'cmd-6', 1_000)).toEqual({
      operation: 'authorize',
      approved: false,
      reason: "the order's payment was voided",
    });
  });

  it('gives up on a provider that hangs, with a ProviderTimeout naming the call', async () => {
    const provider = simulatedProvider();
    provider.hang();
    const started = performance.now();
    await expect(askProvider(provider, authorize, 'cmd-3', 100)).rejects.toThrow(new ProviderTimeout(authorize, 100).message);
    expect(performance.now() - started).toBeGreaterThanOrEqual(95);
    await provider.release();
  });

  it("passes the provider's failure on, to be retried", async () => {
    const provider = simulatedProvider();
    provider.failNext(1);
    await expect(askProvider(provider, authorize, 'cmd-4', 1_000)).rejects.toThrow(/unavailable/);
  });
});
