// What the composition root mounts and what its clients pay with, and nothing else: other
// contexts and the saga use @ordo/payments-contract. paymentsServiceWith and the simulated
// provider are not exported: only this package's own specs build the service on a provider
// of theirs, and they import those from their modules. Export them here when something
// outside needs them (a host with a real provider), and say which.
export { paymentsService } from './service';
// The card tokens whose fate the simulated provider (the shop's) knows: the printed curl
// and the shop's end-to-end tests pay with them.
export { TEST_CARDS } from './simulated-provider';
