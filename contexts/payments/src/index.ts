// What the composition root mounts. Nothing of the domain leaves the package: other
// contexts and the saga use @ordo/payments-contract. Tests and a host with a real
// provider build the service on theirs with paymentsServiceWith.
export { paymentsService, paymentsServiceWith, type PaymentsOptions } from './service';
export { simulatedProvider, TEST_CARDS, type SimulatedProvider, type SimulatedProviderOptions } from './simulated-provider';
export type { PaymentProvider } from './application/provider';
