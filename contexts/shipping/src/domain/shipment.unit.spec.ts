import type { Address, ShipmentLine, ShippingEvent } from '@ordo/shipping-contract';
import { deciderSpec } from '@ordo/testing';
import { SUPPORTED_COUNTRIES } from './countries';
import { ShipmentDispatchedOtherwise, ShipmentNotFound, ShipmentNotScheduled, ShipmentWasCancelled } from './errors';
import { evolve, initialState, shipmentDecider, type Shipment, type ShipmentCommand } from './shipment';

const spec = deciderSpec(shipmentDecider);
const orderId = '7d1f6a3e-2b4c-4d5e-8f90-1a2b3c4d5e6f';
const shipmentId = 'shipment-1';
const at = '2025-03-01T10:00:00.000Z';
const later = '2025-03-02T09:30:00.000Z';
const address: Address = { line1: 'Keizersgracht 1', city: 'Amsterdam', postalCode: '1015 CJ', country: 'NL' };
// Commands as the command topic's parser hands them over: at least one line, each of a
// positive whole quantity (messaging.unit.spec.ts proves it parks what is not).
const lines: ShipmentLine[] = [
  { sku: 'TEE-1', quantity: 2 },
  { sku: 'MUG-1', quantity: 1 },
];

const schedule = (to: Address = address, what: ShipmentLine[] = lines, id = shipmentId, now = at): ShipmentCommand => ({
  type: 'ScheduleShipment',
  data: { orderId, address: to, lines: what },
  metadata: { now, shipmentId: id },
});
const cancel = (reason = 'payment declined', now = at): ShipmentCommand => ({ type: 'CancelShipment', data: { orderId, reason }, metadata: { now } });
const dispatch = (details: { carrier?: string; trackingNumber?: string } = {}, now = later): ShipmentCommand => ({
  type: 'DispatchShipment',
  data: { orderId, ...details },
  metadata: { now },
});

const scheduled = (to: Address = address, id = shipmentId, when = at): ShippingEvent => ({
  type: 'ShipmentScheduled',
  data: { orderId, shipmentId: id, address: to, lines, at: when },
});
const refusal = (reason: string): ShippingEvent => ({ type: 'ShipmentRefused', data: { orderId, reason, at } });
const cancelled = (wasScheduled: boolean, reason = 'payment declined', when = at): ShippingEvent => ({
  type: 'ShipmentCancelled',
  data: { orderId, ...(wasScheduled && { shipmentId }), reason, wasScheduled, at: when },
});
const dispatched = (details: { carrier?: string; trackingNumber?: string } = {}): ShippingEvent => ({
  type: 'ShipmentDispatched',
  data: { orderId, shipmentId, lines, ...details, at: later },
});

describe("shipping: one order's shipment", () => {
  describe('ScheduleShipment', () => {
    it('schedules a shipment to a supported country, with the id it was given', () => spec.given([]).when(schedule()).then([scheduled()]));

    it.each(SUPPORTED_COUNTRIES)('serves %s', (country) =>
      spec
        .given([])
        .when(schedule({ ...address, country }))
        .then([scheduled({ ...address, country })]),
    );

    it('records the country code upper-cased and trimmed', () =>
      spec
        .given([])
        .when(schedule({ ...address, country: ' de ' }))
        .then([scheduled({ ...address, country: 'DE' })]));

    it('keeps the second address line', () => {
      const withLine2 = { ...address, line2: '3rd floor' };
      spec
        .given([])
        .when(schedule(withLine2))
        .then([scheduled(withLine2)]);
    });

    it.each(['US', 'GB', 'CH', 'Germany', 'D E'])('refuses a country it does not serve: %s', (country) =>
      spec
        .given([])
        .when(schedule({ ...address, country }))
        .then([refusal(`shipping to '${country}' is not supported; shipping serves ${SUPPORTED_COUNTRIES.join(', ')}`)]),
    );

    it('answers a repeat for a scheduled shipment with the scheduling that stands, whatever the repeat says', () =>
      spec
        .given([scheduled()])
        .when(schedule({ ...address, country: 'US' }, [{ sku: 'HAT-1', quantity: 9 }], 'another-id', later))
        .then([scheduled(address, shipmentId, later)]));

    it('answers a scheduling of a dispatched shipment with the scheduling that stands', () =>
      spec
        .given([scheduled(), dispatched()])
        .when(schedule(address, lines, 'another-id', later))
        .then([scheduled(address, shipmentId, later)]));

    it('schedules a shipment refused before, when asked again with a served country', () =>
      spec
        .given([refusal('shipping to US is not supported')])
        .when(schedule())
        .then([scheduled()]));

    it('refuses to schedule a cancelled shipment: the cancellation wins', () =>
      spec
        .given([cancelled(false, 'order rejected')])
        .when(schedule())
        .then([refusal(`the shipment of order ${orderId} was cancelled (order rejected): it is not scheduled again`)]));
  });

  describe('CancelShipment', () => {
    it('cancels a scheduled shipment', () =>
      spec
        .given([scheduled()])
        .when(cancel())
        .then([cancelled(true)]));

    it('answers a shipment never scheduled with a cancellation of nothing', () =>
      spec
        .given([])
        .when(cancel())
        .then([cancelled(false)]));

    it('answers a refused shipment with a cancellation of nothing', () =>
      spec
        .given([refusal('no')])
        .when(cancel())
        .then([cancelled(false)]));

    it('answers a cancelled shipment again, cancelling nothing more', () =>
      spec
        .given([scheduled(), cancelled(true)])
        .when(cancel('again', later))
        .then([cancelled(false, 'again', later)]));

    it('refuses to cancel a dispatched shipment, with an answer', () =>
      spec
        .given([scheduled(), dispatched()])
        .when(cancel())
        .then([
          {
            type: 'ShipmentCancellationRefused',
            data: { orderId, shipmentId, reason: `the shipment of order ${orderId} was dispatched at ${later}: it can no longer be cancelled`, at },
          },
        ]));
  });

  describe('DispatchShipment', () => {
    it('dispatches a scheduled shipment with its lines, carrier and tracking number', () =>
      spec
        .given([scheduled()])
        .when(dispatch({ carrier: 'DHL', trackingNumber: 'JD0001' }))
        .then([dispatched({ carrier: 'DHL', trackingNumber: 'JD0001' })]));

    it('dispatches without a carrier or tracking number', () => spec.given([scheduled()]).when(dispatch()).then([dispatched()]));

    it('records nothing for a repeat naming the same carrier and tracking number, or none', () => {
      const history = [scheduled(), dispatched({ carrier: 'DHL', trackingNumber: 'JD0001' })];
      spec
        .given(history)
        .when(dispatch({ carrier: 'DHL', trackingNumber: 'JD0001' }))
        .thenNothing();
      spec
        .given(history)
        .when(dispatch({ carrier: 'DHL' }))
        .thenNothing();
      spec.given(history).when(dispatch()).thenNothing();
    });

    it.each([{ carrier: 'UPS' }, { trackingNumber: 'JD0002' }, { carrier: 'DHL', trackingNumber: 'other' }])(
      'refuses a repeat naming another parcel: %p',
      (details) =>
        spec
          .given([scheduled(), dispatched({ carrier: 'DHL', trackingNumber: 'JD0001' })])
          .when(dispatch(details))
          .thenThrows(ShipmentDispatchedOtherwise, `the shipment of order ${orderId} was dispatched already, with carrier DHL and tracking number JD0001`),
    );

    it('refuses a carrier on a repeat when the first dispatch named none', () =>
      spec
        .given([scheduled(), dispatched()])
        .when(dispatch({ carrier: 'DHL' }))
        .thenThrows(ShipmentDispatchedOtherwise, /with carrier \(none\) and tracking number \(none\)/));

    it('refuses an order with no shipment', () => spec.given([]).when(dispatch()).thenThrows(ShipmentNotFound, `there is no shipment for order ${orderId}`));

    it('refuses a refused shipment', () =>
      spec
        .given([refusal('no')])
        .when(dispatch())
        .thenThrows(ShipmentNotScheduled, /was refused, never scheduled/));

    it('refuses a cancelled shipment', () =>
      spec
        .given([scheduled(), cancelled(true)])
        .when(dispatch())
        .thenThrows(ShipmentWasCancelled, `the shipment of order ${orderId} was cancelled: it must not be dispatched`));
  });

  describe('evolve', () => {
    const replay = (events: ShippingEvent[]): Shipment => events.reduce(evolve, initialState());
    const scheduledState = { orderId, shipmentId, address, lines, scheduledAt: at };

    it('starts with no shipment', () => expect(initialState()).toEqual({ status: 'none' }));

    it('keeps the first scheduling when a repeat answered it again', () =>
      expect(replay([scheduled(), scheduled({ ...address, country: 'FR' }, 'other', later)])).toEqual({ status: 'scheduled', ...scheduledState }));

    it('keeps what was scheduled through a cancellation', () =>
      expect(replay([scheduled(), cancelled(true)])).toEqual({
        status: 'cancelled',
        orderId,
        reason: 'payment declined',
        cancelledAt: at,
        scheduled: scheduledState,
      }));

    it('keeps the first cancellation, and a refusal after it changes nothing', () =>
      expect(replay([cancelled(false, 'first'), cancelled(false, 'second', later), refusal('cancelled')])).toEqual({
        status: 'cancelled',
        orderId,
        reason: 'first',
        cancelledAt: at,
      }));

    it('is dispatched with its carrier, and neither a refused cancellation nor a late one changes it', () => {
      const refusedCancellation: ShippingEvent = { type: 'ShipmentCancellationRefused', data: { orderId, shipmentId, reason: 'dispatched', at } };
      expect(replay([scheduled(), dispatched({ carrier: 'DHL' }), refusedCancellation, cancelled(true)])).toEqual({
        status: 'dispatched',
        ...scheduledState,
        carrier: 'DHL',
        dispatchedAt: later,
      });
    });

    it('records the latest refusal until it is scheduled', () => {
      expect(replay([refusal('first'), refusal('second')])).toEqual({ status: 'refused', orderId, reason: 'second', refusedAt: at });
      expect(replay([refusal('first'), scheduled()])).toEqual({ status: 'scheduled', ...scheduledState });
    });

    it('ignores a dispatch of a shipment not scheduled', () => expect(replay([dispatched()])).toEqual({ status: 'none' }));
  });
});
