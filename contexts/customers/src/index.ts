// What the composition root mounts. Nothing of the domain leaves the package: other
// contexts use @ordo/customers-contract.
export { customersService } from './service';
