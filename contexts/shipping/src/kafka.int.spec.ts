import { randomUUID } from 'node:crypto';
import { eventsOf, startKafkaTestHost, type KafkaTestHost } from '@ordo/host/testing';
import { shipmentStream } from '@ordo/shipping-contract';
import { testScope } from '@ordo/testing';
import { shippingService } from './service';

// Shipping's command consumer on the real broker, as local mode runs it (startKafkaTestHost:
// this file's topics, groups and schema). The saga's commands are produced straight to the
// topic, so the spec decides what arrives twice.
const NOW = '2025-03-01T10:00:00.000Z';
const ADDRESS = { line1: 'Keizersgracht 1', city: 'Amsterdam', postalCode: '1015 CJ', country: 'NL' };
const scope = testScope();

describe('shipping on Kafka', () => {
  let host: KafkaTestHost;

  beforeAll(async () => {
    host = await startKafkaTestHost({ service: shippingService, scope, clock: () => new Date(NOW) });
  });

  afterAll(() => host?.close());

  it('schedules one shipment, and cancels it once, for commands delivered twice and again under a new message id', async () => {
    const orderId = randomUUID();
    const lines = [{ sku: 'TEE-1', quantity: 2 }];
    await host.deliverDuplicated(orderId, { type: 'ScheduleShipment', commandId: `schedule-${orderId}`, data: { orderId, address: ADDRESS, lines } });
    await host.deliverDuplicated(orderId, { type: 'CancelShipment', commandId: `cancel-${orderId}`, data: { orderId, reason: 'payment declined' } });
    await host.settled();

    const events = await eventsOf(host.store, shipmentStream(orderId));
    expect(events.map((event) => [event.type, event.metadata.commandId])).toEqual([
      ['ShipmentScheduled', `schedule-${orderId}`],
      ['ShipmentCancelled', `cancel-${orderId}`],
    ]);
    const shipmentId = (events[0]?.data as { shipmentId: string }).shipmentId;
    expect(events[1]?.data).toMatchObject({ shipmentId, wasScheduled: true });
    expect(await host.parked('shipping-commands')).toEqual([]);
  });
});
