// What the composition root mounts. Nothing of the domain leaves the package: other
// contexts and the saga use @ordo/inventory-contract.
export { inventoryService } from './service';
