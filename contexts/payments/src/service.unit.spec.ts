import type { ServicePorts } from '@ordo/host';
import { ConfigError, loadConfig } from '@ordo/runtime';
import { paymentsConfigShape, paymentsService, paymentsServiceWith } from './service';
import { simulatedProvider } from './simulated-provider';

describe('the payments service definition', () => {
  it('is named payments, takes commands, and holds payment- streams', () => {
    for (const definition of [paymentsService, paymentsServiceWith({ provider: simulatedProvider() })]) {
      expect(definition).toMatchObject({ name: 'payments', takesCommands: true, store: { streamPrefixes: ['payment-'] } });
    }
  });

  it('configures the simulated provider with defaults: a limit of 1,000,000 cents, no latency, tok_hang answered after 60 s, a timeout of 5 s', () => {
    expect(loadConfig('payments', paymentsConfigShape, {})).toEqual({
      PAYMENTS_DECLINE_OVER_CENTS: 1_000_000,
      PAYMENTS_LATENCY_MS: 0,
      PAYMENTS_HANG_MS: 60_000,
      PAYMENTS_PROVIDER_TIMEOUT_MS: 5_000,
    });
  });

  it('refuses to create the service on a bad value, naming every bad variable', async () => {
    const saved = { ...process.env };
    process.env.PAYMENTS_LATENCY_MS = '-1';
    process.env.PAYMENTS_HANG_MS = 'forever';
    process.env.PAYMENTS_PROVIDER_TIMEOUT_MS = 'soon';
    process.env.PAYMENTS_DECLINE_OVER_CENTS = '0';
    try {
      // The environment is read before any port is used.
      const create = async () => paymentsService.create({} as ServicePorts);
      await expect(create()).rejects.toThrow(ConfigError);
      await expect(create()).rejects.toThrow(
        /PAYMENTS_DECLINE_OVER_CENTS: expected at least 1[\s\S]*PAYMENTS_LATENCY_MS: expected 0 or more[\s\S]*PAYMENTS_HANG_MS: expected a whole number[\s\S]*PAYMENTS_PROVIDER_TIMEOUT_MS: expected a whole number/,
      );
    } finally {
      process.env = saved;
    }
  });
});
