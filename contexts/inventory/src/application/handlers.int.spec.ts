import { createEventStore, type EventStore } from '@ordo/eventstore';
import { inventoryEventSchemas, stockStream, type InventoryEvent } from '@ordo/inventory-contract';
import { evolve, initialState } from '../domain/stock';
import { SkuNotInCatalog } from '../domain/errors';
import type { CommandContext } from '@ordo/eventstore';
import { inventoryHandlers, STOCK_SNAPSHOT_VERSION, type CatalogSkus } from './handlers';

// A stock stream long enough to be snapshotted: what loads from the snapshot must be
// what a full replay gives, and a command handled before the snapshot is still a repeat.
const context = (commandId: string): CommandContext => ({ commandId, correlationId: 'c-1', now: '2025-03-01T10:00:00.000Z' });
/** The copy of catalog, as the handlers ask it: these skus have a product. */
const catalogKnowing = (...skus: string[]): CatalogSkus => ({ knows: async (sku) => skus.includes(sku) });
const catalog = catalogKnowing('SKU-LONG', 'SKU-NEW', 'SKU-OLD', 'SKU-HOT');

describe('inventory handlers', () => {
  let store: EventStore;

  beforeAll(async () => {
    store = await createEventStore('pglite:memory', { schema: 'inventory', registry: inventoryEventSchemas });
  });
  afterAll(async () => {
    await store?.close();
  });

  it('loads from its snapshot to the stock a full replay gives, and still knows the commands before it', async () => {
    const sku = 'SKU-LONG';
    const handlers = inventoryHandlers({ store, catalog });
    await handlers.addStock({ sku, quantity: 10 }, context('add'));
    // Every third order keeps its unit, the others release it: 10 units last until o27.
    // Every ninth is then dispatched: its unit committed.
    for (let n = 0; n < 90; n++) {
      await handlers.reserveStock({ sku, orderId: `o${n}`, quantity: 1 }, context(`reserve-${n}`));
      if (n % 3 !== 0) await handlers.releaseStock({ sku, orderId: `o${n}` }, context(`release-${n}`));
      else if (n % 9 === 0) await handlers.commitStock({ sku, orderId: `o${n}` }, context(`commit-${n}`));
    }

    const snapshot = await store.loadSnapshot(stockStream(sku));
    expect(snapshot?.version).toBe(STOCK_SNAPSHOT_VERSION);
    expect(snapshot?.revision).toBeGreaterThanOrEqual(99n);

    const loaded = await inventoryHandlers({ store, catalog }).readStock(sku);
    const events: InventoryEvent[] = [];
    for await (const event of store.readStream(stockStream(sku))) events.push(event as unknown as InventoryEvent);
    expect(loaded.revision).toBe(BigInt(events.length - 1));
    expect(loaded.state).toEqual(events.reduce(evolve, initialState()));
    // o0, o9, o18 and o27 (the last unit) were dispatched; the later ninths held nothing to commit.
    expect(loaded.state).toMatchObject({ sku, added: 10, available: 0, reserved: 6, dispatched: 4 });
    expect([...loaded.state.reservations.keys()]).toEqual(['o3', 'o6', 'o12', 'o15', 'o21', 'o24']);

    const repeat = await inventoryHandlers({ store, catalog }).reserveStock({ sku, orderId: 'o0', quantity: 1 }, context('reserve-0'));
    expect(repeat).toMatchObject({ repeated: true, revision: loaded.revision, events: [{ type: 'StockReserved', data: { orderId: 'o0', quantity: 1 } }] });
    const commitRepeat = await inventoryHandlers({ store, catalog }).commitStock({ sku, orderId: 'o0' }, context('commit-0'));
    expect(commitRepeat).toMatchObject({ repeated: true, events: [{ type: 'StockCommitted', data: { orderId: 'o0', quantity: 1 } }] });
  });

  it("decides a sku's waiting commands in turn and appends them together, a refusal among them an answering event", async () => {
    const sku = 'SKU-HOT';
    const handlers = inventoryHandlers({ store, catalog });
    await handlers.addStock({ sku, quantity: 3 }, context('add-hot'));

    const handled = await handlers.reserveOrReleaseTogether(sku, [
      { command: { type: 'ReserveStock', data: { sku, orderId: 'o1', quantity: 2 } }, context: context('hot-1') },
      { command: { type: 'ReserveStock', data: { sku, orderId: 'o2', quantity: 2 } }, context: context('hot-2') },
      { command: { type: 'ReleaseStock', data: { sku, orderId: 'o1' } }, context: context('hot-3') },
      { command: { type: 'ReserveStock', data: { sku, orderId: 'o3', quantity: 3 } }, context: context('hot-4') },
    ]);

    expect(handled.map((answer) => answer.events.map((event) => event.type))).toEqual([
      ['StockReserved'],
      ['StockReservationRejected'],
      ['StockReleased'],
      ['StockReserved'],
    ]);
    expect(handled.map((answer) => answer.revision)).toEqual([1n, 2n, 3n, 4n]);
    const events: InventoryEvent[] = [];
    for await (const event of store.readStream(stockStream(sku))) events.push(event as unknown as InventoryEvent);
    expect(events.map((event) => event.type)).toEqual(['StockAdded', 'StockReserved', 'StockReservationRejected', 'StockReleased', 'StockReserved']);
    await expect(handlers.readStock(sku)).resolves.toMatchObject({ state: { available: 0, reserved: 3 } });
    // Handled one by one afterwards (the consumer's fallback), each is a repeat.
    await expect(handlers.reserveStock({ sku, orderId: 'o2', quantity: 2 }, context('hot-2'))).resolves.toMatchObject({ repeated: true });
  });

  it('refuses to take commands for another sku together with a stock', async () => {
    const handlers = inventoryHandlers({ store, catalog });
    expect(() =>
      handlers.reserveOrReleaseTogether('SKU-HOT', [{ command: { type: 'ReleaseStock', data: { sku: 'SKU-NEW', orderId: 'o1' } }, context: context('x') }]),
    ).toThrow('ReleaseStock for SKU-NEW cannot go together with the commands for SKU-HOT');
  });

  it('ignores a snapshot of the shape before dispatches (version 1), reading the stream from its start', async () => {
    const sku = 'SKU-OLD';
    const handlers = inventoryHandlers({ store, catalog });
    await handlers.addStock({ sku, quantity: 5 }, context('add-old'));
    await handlers.reserveStock({ sku, orderId: 'o1', quantity: 2 }, context('reserve-old'));
    // What version 1 saved: no `dispatched`, and counts a reader taking it would trust.
    const stale = { state: { sku, added: 5, available: 1, reserved: 4, reservations: { o1: 4 } }, handled: [] };
    await store.saveSnapshot(stockStream(sku), { revision: 1n, version: 1, state: stale });

    const fresh = inventoryHandlers({ store, catalog });
    const { state } = await fresh.readStock(sku);
    expect({ ...state, reservations: state.reservations.toJSON() }).toEqual({
      sku,
      added: 5,
      available: 3,
      reserved: 2,
      dispatched: 0,
      reservations: { o1: 2 },
    });
    const committed = await fresh.commitStock({ sku, orderId: 'o1' }, context('commit-old'));
    expect(committed.events).toEqual([{ type: 'StockCommitted', data: { sku, orderId: 'o1', quantity: 2, at: '2025-03-01T10:00:00.000Z' } }]);
    expect(committed.state).toMatchObject({ added: 5, available: 3, reserved: 0, dispatched: 2 });
  });

  it('adds stock only for a sku its copy of catalog knows, appending nothing for another', async () => {
    const handlers = inventoryHandlers({ store, catalog });
    await expect(handlers.addStock({ sku: 'SKU-GHOST', quantity: 3 }, context('add-ghost'))).rejects.toThrow(SkuNotInCatalog);
    const appended = [];
    for await (const event of store.readStream(stockStream('SKU-GHOST'))) appended.push(event);
    expect(appended).toEqual([]);
    expect(await handlers.addStock({ sku: 'SKU-NEW', quantity: 3 }, context('add-new'))).toMatchObject({ revision: 0n, state: { added: 3 } });
  });

  it('reads zero stock of a sku catalog knows and nothing was added to, and refuses one it does not know', async () => {
    const handlers = inventoryHandlers({ store, catalog: catalogKnowing('SKU-EMPTY') });
    expect(await handlers.readStock('SKU-EMPTY')).toEqual({ revision: -1n, state: initialState() });
    await expect(handlers.readStock('SKU-GHOST')).rejects.toThrow('catalog has no product SKU-GHOST (yet)');
    // Stock once added is answered as it is, without asking the copy.
    expect((await inventoryHandlers({ store, catalog: catalogKnowing() }).readStock('SKU-NEW')).state).toMatchObject({ added: 3 });
  });
});
