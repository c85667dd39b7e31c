import { defineService, type ServiceDefinition } from '@ordo/host';
import { CONTEXT, PAYMENTS_STREAM_PREFIXES, paymentsEventSchemas } from '@ordo/payments-contract';
import { env, loadConfig } from '@ordo/runtime';
import { paymentsHandlers } from './application/handlers';
import { DEFAULT_PROVIDER_TIMEOUT_MS, type PaymentProvider } from './application/provider';
import { paymentsErrorMappings, paymentsRoutes } from './http';
import { paymentsConsumers } from './messaging';
import { sqlProviderJournal } from './provider-journal';
import { simulatedProvider } from './simulated-provider';

export interface PaymentsOptions {
  provider: PaymentProvider;
  /** How long a provider call may take before the command fails and is retried. Default 5 s. */
  providerTimeoutMs?: number;
}

const described = {
  name: CONTEXT,
  api: { title: 'Payments', version: '1.0.0', description: 'One payment per order: authorized, voided, captured and refunded through a payment provider' },
  store: { streamPrefixes: PAYMENTS_STREAM_PREFIXES, registry: paymentsEventSchemas },
  takesCommands: true,
};

/**
 * Payments as a service (docs/architecture.md, "One shape for every context") on the
 * provider given: the saga's commands on its topic, answered by events; one read over HTTP.
 */
export const paymentsServiceWith = ({ provider, providerTimeoutMs = DEFAULT_PROVIDER_TIMEOUT_MS }: PaymentsOptions): ServiceDefinition =>
  defineService({
    ...described,
    create: ({ store, clock, logger }) => {
      const handlers = paymentsHandlers({ store, provider, providerTimeoutMs });
      return { errorMappings: paymentsErrorMappings, routes: paymentsRoutes({ handlers }), consumers: paymentsConsumers({ handlers, clock, logger }) };
    },
  });

/** What configures the shop's payments: the simulated provider's rules and latencies, and the timeout of its calls. */
export const paymentsConfigShape = {
  PAYMENTS_DECLINE_OVER_CENTS: env.int().min(1, 'expected at least 1').default(1_000_000),
  PAYMENTS_LATENCY_MS: env.int().min(0, 'expected 0 or more').default(0),
  PAYMENTS_HANG_MS: env.int().min(0, 'expected 0 or more').default(60_000),
  PAYMENTS_PROVIDER_TIMEOUT_MS: env.int().min(1, 'expected at least 1').default(DEFAULT_PROVIDER_TIMEOUT_MS),
};

/**
 * The shop's payments, on the simulated provider, whose books are journaled in payments'
 * own database, read order by order before each decision, so a restarted process, or a
 * replica, captures and voids what was authorized before. The environment is read when a
 * host creates the service, so a bad value stops that start, naming the variable, rather
 * than the import of this package.
 */
export const paymentsService: ServiceDefinition = defineService({
  ...described,
  create: async (ports) => {
    const config = loadConfig(CONTEXT, paymentsConfigShape);
    const journal = sqlProviderJournal(ports.sql, ports.schema);
    await journal.migrate();
    const provider = simulatedProvider({
      declineOverCents: config.PAYMENTS_DECLINE_OVER_CENTS,
      latencyMs: config.PAYMENTS_LATENCY_MS,
      hangMs: config.PAYMENTS_HANG_MS,
      journal,
    });
    return paymentsServiceWith({ provider, providerTimeoutMs: config.PAYMENTS_PROVIDER_TIMEOUT_MS }).create(ports);
  },
});
