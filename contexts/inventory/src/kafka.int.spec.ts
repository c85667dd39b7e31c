import { randomUUID } from 'node:crypto';
import type { CommandContext } from '@ordo/eventstore';
import { eventsOf, startKafkaTestHost, type KafkaTestHost } from '@ordo/host/testing';
import { stockStream } from '@ordo/inventory-contract';
import { SHIPPING_EVENTS_TOPIC, shipmentStream } from '@ordo/shipping-contract';
import { testScope } from '@ordo/testing';
import { inventoryHandlers, type InventoryHandlers } from './application/handlers';
import { commitCommandIdFor } from './dispatch-feed';
import { inventoryService } from './service';

// Inventory's consumers on the real broker, as local mode runs them (startKafkaTestHost:
// this file's topics, groups and schema). The saga's commands and shipping's dispatches
// are produced straight to their topics, so the spec decides what arrives twice.
const NOW = '2025-03-01T10:00:00.000Z';
const scope = testScope();

describe('inventory on Kafka', () => {
  let host: KafkaTestHost;
  /** Stock as the routes change it: what is added and reserved before the deliveries under test. */
  let stock: InventoryHandlers;
  const context = (commandId: string): CommandContext => ({ commandId, correlationId: 'spec', now: NOW });

  beforeAll(async () => {
    host = await startKafkaTestHost({ service: inventoryService, scope, clock: () => new Date(NOW) });
    // The copy of catalog is not the subject here: every sku is known.
    stock = inventoryHandlers({ store: host.store, catalog: { knows: async () => true } });
  });

  afterAll(() => host?.close());

  /** Each event of the sku's stream: its type, the command it answers, and the quantity it moved. */
  const history = async (sku: string) =>
    (await eventsOf(host.store, stockStream(sku))).map((event) => [event.type, event.metadata.commandId, (event.data as { quantity?: number }).quantity]);

  it('reserves and releases once for commands delivered twice, and again under a new message id', async () => {
    await stock.addStock({ sku: 'SKU-K1', quantity: 10 }, context('add-k1'));

    await host.deliverDuplicated('SKU-K1', { type: 'ReserveStock', commandId: 'reserve-o1', data: { sku: 'SKU-K1', orderId: 'o1', quantity: 3 } });
    await host.settled();
    const { state } = await stock.readStock('SKU-K1');
    expect({ ...state, reservations: state.reservations.toJSON() }).toMatchObject({ available: 7, reserved: 3, reservations: { o1: 3 } });

    await host.deliverDuplicated('SKU-K1', { type: 'ReleaseStock', commandId: 'release-o1', data: { sku: 'SKU-K1', orderId: 'o1' } });
    await host.settled();
    expect(await history('SKU-K1')).toEqual([
      ['StockAdded', 'add-k1', 10],
      ['StockReserved', 'reserve-o1', 3],
      ['StockReleased', 'release-o1', 3],
    ]);
    expect(await host.parked('inventory-commands')).toEqual([]);
  });

  it("commits once for shipping's ShipmentDispatched delivered twice", async () => {
    const orderId = randomUUID();
    await stock.addStock({ sku: 'SKU-K2', quantity: 10 }, context('add-k2'));
    await stock.reserveStock({ sku: 'SKU-K2', orderId, quantity: 4 }, context('reserve-k2'));

    const data = { orderId, shipmentId: `shipment-of-${orderId}`, lines: [{ sku: 'SKU-K2', quantity: 4 }], at: NOW };
    const dispatched = { stream: shipmentStream(orderId), type: 'ShipmentDispatched', data };
    const eventId = await host.deliverEvent(SHIPPING_EVENTS_TOPIC, dispatched, { times: 2 });
    await host.settled();

    expect(await history('SKU-K2')).toEqual([
      ['StockAdded', 'add-k2', 10],
      ['StockReserved', 'reserve-k2', 4],
      ['StockCommitted', commitCommandIdFor(eventId, 'SKU-K2'), 4],
    ]);
    expect((await stock.readStock('SKU-K2')).state).toMatchObject({ available: 6, reserved: 0, dispatched: 4 });
    expect(await host.parked('inventory-dispatch')).toEqual([]);
  });
});
