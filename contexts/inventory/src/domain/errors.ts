/**
 * A rule of stock broken by a command that comes over HTTP (AddStock). Commands from
 * other services (ReserveStock, ReleaseStock, and CommitStock from a dispatch) are never
 * refused by a throw: they are answered with an event, since their sender waits for an
 * answer, and a throw would only be retried and then parked.
 */
export class StockRuleBroken extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StockRuleBroken';
  }
}

/**
 * Stock added for, or asked of, a sku catalog has no product for. Inventory knows
 * catalog's products from catalog's events, so a product just added is unknown here
 * for a moment: the message says "(yet)".
 */
export class SkuNotInCatalog extends Error {
  constructor(readonly sku: string) {
    super(`catalog has no product ${sku} (yet): inventory learns of a product from catalog's events, a moment after it is added`);
    this.name = 'SkuNotInCatalog';
  }
}
