/**
 * A rule of stock broken by a command that comes over HTTP (AddStock). Commands from
 * other services (ReserveStock, ReleaseStock) are never refused by a throw: they are
 * answered with an event, since their sender waits for an answer.
 */
export class StockRuleBroken extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StockRuleBroken';
  }
}
