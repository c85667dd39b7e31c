// Catalog's domain errors: every catalog command comes over HTTP, so a refusal is a
// throw that http.ts maps to its status.

/** AddProduct for a sku the catalog already lists (HTTP 409). */
export class ProductAlreadyExists extends Error {
  constructor(readonly sku: string) {
    super(`product ${sku} already exists`);
    this.name = 'ProductAlreadyExists';
  }
}

/** A command for a sku the catalog does not list (HTTP 404). */
export class ProductNotFound extends Error {
  constructor(readonly sku: string) {
    super(`product ${sku} does not exist`);
    this.name = 'ProductNotFound';
  }
}
