// What the composition root mounts. Nothing of the domain leaves the package: other
// contexts use @ordo/shipping-contract.
export { shippingService } from './service';
