import { eventsOf, startKafkaTestHost, type KafkaTestHost } from '@ordo/host/testing';
import { orderStream, type OrdersCommandMessage } from '@ordo/orders-contract';
import { SHIPPING_EVENTS_TOPIC, shipmentStream } from '@ordo/shipping-contract';
import { testScope } from '@ordo/testing';
import { existingOrder } from '../test/existing-order';
import { markShippedCommandIdFor } from './shipping-feed';
import { ordersService } from './service';

// Orders' consumers on the real broker, as local mode runs them (startKafkaTestHost: this
// file's topics, groups and schema). The saga's commands and shipping's dispatches are
// produced straight to their topics, so the spec decides what arrives twice. The orders
// exist before (existingOrder): placing one asks customers, which is not the subject here.
const NOW = '2025-03-02T09:00:00.000Z';
const scope = testScope();

describe('orders on Kafka', () => {
  let host: KafkaTestHost;

  beforeAll(async () => {
    host = await startKafkaTestHost({ service: ordersService, scope, clock: () => new Date(NOW) });
  });

  afterAll(() => host?.close());

  /** Each event of the order's stream: its type and the command it answers. */
  const history = async (orderId: string) => (await eventsOf(host.store, orderStream(orderId))).map((event) => [event.type, event.metadata.commandId]);
  const command = (orderId: string, command: Omit<OrdersCommandMessage, 'metadata'>) => host.deliverDuplicated(orderId, command);

  it('confirms once, and rejects once, for commands delivered twice and again under a new message id', async () => {
    const [confirmed, rejected] = [await existingOrder(host.store), await existingOrder(host.store)];
    await command(confirmed, { type: 'ConfirmOrder', commandId: `confirm-${confirmed}`, data: { orderId: confirmed } });
    await command(rejected, { type: 'RejectOrder', commandId: `reject-${rejected}`, data: { orderId: rejected, reason: 'out of stock' } });
    await host.settled();

    expect(await history(confirmed)).toEqual([
      ['OrderPlaced', undefined],
      ['OrderConfirmed', `confirm-${confirmed}`],
    ]);
    expect(await history(rejected)).toEqual([
      ['OrderPlaced', undefined],
      ['OrderRejected', `reject-${rejected}`],
    ]);
    expect(await host.parked('orders-commands')).toEqual([]);
  });

  it("marks an order shipped once for shipping's ShipmentDispatched delivered twice", async () => {
    const orderId = await existingOrder(host.store, 'confirmed');
    const data = { orderId, shipmentId: `shipment-of-${orderId}`, lines: [{ sku: 'MUG-1', quantity: 2 }], at: NOW };
    const dispatched = { stream: shipmentStream(orderId), type: 'ShipmentDispatched', data };
    const eventId = await host.deliverEvent(SHIPPING_EVENTS_TOPIC, dispatched, { times: 2 });
    await host.settled();

    expect(await history(orderId)).toEqual([
      ['OrderPlaced', undefined],
      ['OrderConfirmed', undefined],
      ['OrderShipped', markShippedCommandIdFor(eventId)],
    ]);
    expect(await host.parked('orders-shipping')).toEqual([]);
  });
});
