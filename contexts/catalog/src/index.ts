// What the composition root mounts. Nothing of the domain leaves the package: other
// contexts use @ordo/catalog-contract.
export { catalogService } from './service';
