import { PGlite } from '@electric-sql/pglite';
import { pgliteSql } from '@ordo/runtime';
import { sqlCatalogSkus, type CatalogSkuUpdate } from './catalog-skus';

// Inventory's copy of catalog's skus on PGlite (embedded mode's database): each row
// follows its product stream's revision, whatever order the updates arrive in.
describe("the SQL copy of catalog's skus", () => {
  const db = new PGlite();
  const sql = pgliteSql(db);
  const skus = sqlCatalogSkus(sql, 'inventory_catalog');
  const apply = (update: CatalogSkuUpdate) => sql.transaction((query) => skus.apply(query, update));
  const added = (sku: string, revision: bigint): CatalogSkuUpdate => ({ type: 'ProductAdded', sku, revision });
  const revisionOf = async (sku: string) =>
    (await sql.query<{ revision: string }>('select revision::text from inventory_catalog.catalog_skus where sku = $1', [sku])).rows.map((row) => row.revision);

  beforeAll(() => skus.migrate());
  afterAll(() => db.close());

  it('knows a sku once its product is added, and only then', async () => {
    expect(await skus.knows('MUG-1')).toBe(false);
    expect(await apply(added('MUG-1', 0n))).toBe(true);
    expect(await skus.knows('MUG-1')).toBe(true);
    expect(await skus.knows('CUP-1')).toBe(false);
  });

  it('applies an event of a product once: a redelivery or an older revision changes nothing', async () => {
    expect(await apply(added('PEN-1', 3n))).toBe(true);
    expect(await apply(added('PEN-1', 3n))).toBe(false);
    expect(await apply(added('PEN-1', 1n))).toBe(false);
    expect(await revisionOf('PEN-1')).toEqual(['3']);
    expect(await apply(added('PEN-1', 4n))).toBe(true);
    expect(await revisionOf('PEN-1')).toEqual(['4']);
  });

  it('writes inside the caller transaction: rolled back with it', async () => {
    await expect(
      sql.transaction(async (query) => {
        await skus.apply(query, added('TEE-1', 0n));
        throw new Error('the inbox transaction failed');
      }),
    ).rejects.toThrow('the inbox transaction failed');
    expect(await skus.knows('TEE-1')).toBe(false);
  });

  it('migrates again without harm', async () => {
    await skus.migrate();
    expect(await skus.knows('MUG-1')).toBe(true);
  });
});
