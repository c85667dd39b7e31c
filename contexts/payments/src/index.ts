// What the composition root mounts, and nothing else: other contexts and the saga use
// @ordo/payments-contract. paymentsServiceWith and the simulated provider are not
// exported: only this package's own specs build the service on a provider of theirs, and
// they import those from their modules. Export them here when something outside needs
// them (a host with a real provider, a saga spec that fails a payment), and say which.
export { paymentsService } from './service';
