import { PGlite } from '@electric-sql/pglite';
import { pgliteSql } from '@ordo/runtime';
import { sqlPriceTable, type PriceUpdate } from './prices';

// The price table on PGlite: each row follows its product stream's revision, whatever
// order the updates arrive in.
describe('the SQL price table', () => {
  const db = new PGlite();
  const sql = pgliteSql(db);
  const prices = sqlPriceTable(sql, 'orders_prices');
  const apply = (update: PriceUpdate) => sql.transaction((query) => prices.apply(query, update));

  beforeAll(() => prices.migrate());
  afterAll(() => db.close());

  it('adds a product and changes its price', async () => {
    expect(await apply({ type: 'ProductAdded', sku: 'MUG-1', name: 'Mug', priceCents: 1250, revision: 0n })).toBe(true);
    expect(await apply({ type: 'PriceChanged', sku: 'MUG-1', priceCents: 1400, revision: 1n })).toBe(true);
    expect(await prices.pricesOf(['MUG-1'])).toEqual(new Map([['MUG-1', { name: 'Mug', priceCents: 1400 }]]));
  });

  it('keeps a newer price when an older revision arrives after it', async () => {
    await apply({ type: 'ProductAdded', sku: 'CUP-1', name: 'Cup', priceCents: 500, revision: 0n });
    await apply({ type: 'PriceChanged', sku: 'CUP-1', priceCents: 700, revision: 2n });
    expect(await apply({ type: 'PriceChanged', sku: 'CUP-1', priceCents: 600, revision: 1n })).toBe(false);
    expect(await apply({ type: 'PriceChanged', sku: 'CUP-1', priceCents: 650, revision: 2n })).toBe(false);
    expect(await apply({ type: 'ProductAdded', sku: 'CUP-1', name: 'Old cup', priceCents: 500, revision: 0n })).toBe(false);
    expect((await prices.pricesOf(['CUP-1'])).get('CUP-1')).toEqual({ name: 'Cup', priceCents: 700 });
  });

  it('answers only the skus it knows', async () => {
    await apply({ type: 'ProductAdded', sku: 'PEN-1', name: 'Pen', priceCents: 199, revision: 0n });
    const found = await prices.pricesOf(['PEN-1', 'NOPE-1', 'MUG-1']);
    expect([...found.keys()].sort()).toEqual(['MUG-1', 'PEN-1']);
    expect(await prices.pricesOf([])).toEqual(new Map());
  });

  it('migrates again without harm', async () => {
    await prices.migrate();
    expect((await prices.pricesOf(['PEN-1'])).get('PEN-1')?.priceCents).toBe(199);
  });
});
