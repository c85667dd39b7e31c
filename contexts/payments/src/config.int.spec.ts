import { answersTo, issueCommand, startTestHost } from '@ordo/host/testing';
import { paymentStream } from '@ordo/payments-contract';
import { paymentsService } from './service';

// The shop's payments read their simulated provider's rules from the environment when a
// host creates the service, not when the package is imported.
const VARIABLES = ['PAYMENTS_DECLINE_OVER_CENTS', 'PAYMENTS_LATENCY_MS', 'PAYMENTS_PROVIDER_TIMEOUT_MS'] as const;

describe('paymentsService, configured from the environment', () => {
  const saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));
  afterEach(() => {
    for (const name of VARIABLES) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  it('declines over PAYMENTS_DECLINE_OVER_CENTS', async () => {
    process.env.PAYMENTS_DECLINE_OVER_CENTS = '500';
    process.env.PAYMENTS_LATENCY_MS = '5';
    const host = await startTestHost({ service: paymentsService, standIns: ['sagas'] });
    try {
      const authorize = (orderId: string, amountCents: number) =>
        issueCommand(host.standIns.sagas, { target: 'payments', key: orderId, type: 'AuthorizePayment', data: { orderId, amountCents, cardToken: 'tok_ok' } });
      const over = await authorize('c-1', 501);
      const within = await authorize('c-2', 500);
      expect(await answersTo(host.store, paymentStream('c-1'), over)).toEqual([
        expect.objectContaining({ type: 'PaymentDeclined', data: expect.objectContaining({ reason: '501 cents is over the limit of 500 cents' }) }),
      ]);
      expect(await answersTo(host.store, paymentStream('c-2'), within)).toEqual([expect.objectContaining({ type: 'PaymentAuthorized' })]);
    } finally {
      await host.close();
    }
  });
});
