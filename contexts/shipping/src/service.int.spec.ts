import { randomUUID } from 'node:crypto';
import { eventIdFor } from '@ordo/eventstore';
import { answersTo, eventsOf, issueCommand, startTestHost, type TestHost, parkedKeys } from '@ordo/host/testing';
import { shipmentStream, type Address, type ScheduleShipment } from '@ordo/shipping-contract';
import { shippingService } from './service';

// Shipping as the host mounts it in embedded mode: its own store, the embedded bus, a
// real HTTP port. The saga's commands come as CommandIssued events of a stand-in 'sagas'
// store, routed to `ordo.shipping.commands` keyed by order id; the warehouse dispatches
// over HTTP with an operator's token.
const NOW = '2025-03-01T10:00:00.000Z';
const TOKENS = { customer: 'shipping-spec-customer', viewer: 'shipping-spec-viewer', operator: 'shipping-spec-warehouse' } as const;
const as = (role: keyof typeof TOKENS) => ({ authorization: `Bearer ${TOKENS[role]}` });
const JSON_BODY = { 'content-type': 'application/json' };
const ADDRESS: Address = { line1: 'Keizersgracht 1', city: 'Amsterdam', postalCode: '1015 CJ', country: 'NL' };
const LINES = [
  { sku: 'TEE-1', quantity: 2 },
  { sku: 'MUG-1', quantity: 1 },
];
type Problem = { status: number; detail?: string; errors?: { in: string; path: string; message: string }[] };

describe('shipping, mounted on HTTP and the embedded bus', () => {
  let host: TestHost<'sagas'>;

  beforeAll(async () => {
    host = await startTestHost({
      service: shippingService,
      standIns: ['sagas'],
      clock: () => new Date(NOW),
      authTokens: new Map([
        [TOKENS.customer, { subject: 'alice', roles: ['customer'] }],
        [TOKENS.viewer, { subject: 'support', roles: ['viewer'] }],
        [TOKENS.operator, { subject: 'warehouse', roles: ['operator'] }],
      ]),
    });
  });

  afterAll(() => host?.close());

  // ---- helpers ------------------------------------------------------------------------
  const command = (type: string, orderId: string, data: object, commandId: string = randomUUID()) =>
    issueCommand(host.standIns.sagas, { target: 'shipping', key: orderId, type, data: { orderId, ...data }, commandId });
  const schedule = (orderId: string, data: Partial<ScheduleShipment> = {}, commandId?: string) =>
    command('ScheduleShipment', orderId, { address: ADDRESS, lines: LINES, ...data }, commandId);
  const cancel = (orderId: string, reason = 'payment declined', commandId?: string) => command('CancelShipment', orderId, { reason }, commandId);
  const answerTo = async (orderId: string, commandId: string) => (await answersTo(host.store, shipmentStream(orderId), commandId))[0];
  const history = async (orderId: string) => (await eventsOf(host.store, shipmentStream(orderId))).map((event) => event.type);
  const scheduled = async () => {
    const orderId = randomUUID();
    await answerTo(orderId, await schedule(orderId));
    return orderId;
  };

  const call = async (method: string, path: string, { headers = as('operator'), body }: { headers?: Record<string, string>; body?: unknown } = {}) => {
    const response = await fetch(`${host.url}${path}`, {
      method,
      headers: body === undefined ? headers : { ...JSON_BODY, ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as unknown) : undefined };
  };
  const dispatch = (orderId: string, body?: unknown, headers?: Record<string, string>) =>
    call('POST', `/v1/shipments/${orderId}/dispatch`, { body, headers: { ...as('operator'), ...headers } });
  const read = (orderId: string, headers: Record<string, string> = as('viewer')) => call('GET', `/v1/shipments/${orderId}`, { headers });

  // ---- commands on the bus --------------------------------------------------------------
  describe('ScheduleShipment', () => {
    it("schedules the shipment, answering with the command's ids and a new shipment id", async () => {
      const orderId = randomUUID();
      const commandId = await schedule(orderId, { address: { ...ADDRESS, country: 'nl', line2: 'Floor 3' } });
      const answer = await answerTo(orderId, commandId);
      expect(answer).toMatchObject({
        id: eventIdFor(commandId, 0),
        type: 'ShipmentScheduled',
        data: { orderId, address: { ...ADDRESS, line2: 'Floor 3', country: 'NL' }, lines: LINES, at: NOW },
        metadata: { commandId, causationId: commandId, correlationId: `saga-${orderId}`, schemaVersion: 1 },
      });
      expect((answer?.data as { shipmentId: string }).shipmentId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    });

    it('answers the same command issued twice once', async () => {
      const orderId = randomUUID();
      const commandId = await schedule(orderId);
      await schedule(orderId, {}, commandId);
      // An order's commands are handled in order: once this one is answered, both before it were.
      const after = await cancel(orderId);
      await answerTo(orderId, after);
      expect(await answersTo(host.store, shipmentStream(orderId), commandId)).toHaveLength(1);
      expect(await history(orderId)).toEqual(['ShipmentScheduled', 'ShipmentCancelled']);
    });

    it('answers a scheduling under another command id with the scheduling that stands', async () => {
      const orderId = randomUUID();
      const first = await answerTo(orderId, await schedule(orderId));
      const again = await answerTo(orderId, await schedule(orderId, { address: { ...ADDRESS, country: 'FR' } }));
      expect(again).toMatchObject({ type: 'ShipmentScheduled', data: first?.data });
      expect((await read(orderId)).body).toMatchObject({ status: 'scheduled', address: ADDRESS });
    });

    it('refuses a country it does not serve with ShipmentRefused', async () => {
      const orderId = randomUUID();
      const commandId = await schedule(orderId, { address: { ...ADDRESS, country: 'US' } });
      expect(await answerTo(orderId, commandId)).toMatchObject({
        type: 'ShipmentRefused',
        data: { orderId, reason: expect.stringMatching(/^shipping to 'US' is not supported; shipping serves DE, FR, NL/), at: NOW },
        metadata: { commandId, correlationId: `saga-${orderId}` },
      });
      expect((await read(orderId)).body).toMatchObject({ orderId, status: 'refused', reason: expect.stringMatching(/'US'/), updatedAt: NOW });
    });
  });

  describe('CancelShipment', () => {
    it('cancels a scheduled shipment, and the cancellation is kept when cancelled again', async () => {
      const orderId = await scheduled();
      const commandId = await cancel(orderId);
      expect(await answerTo(orderId, commandId)).toMatchObject({
        type: 'ShipmentCancelled',
        data: { orderId, shipmentId: expect.any(String), reason: 'payment declined', wasScheduled: true, at: NOW },
        metadata: { commandId, causationId: commandId },
      });
      expect(await answerTo(orderId, await cancel(orderId, 'again'))).toMatchObject({ data: { reason: 'again', wasScheduled: false } });
      expect((await read(orderId)).body).toMatchObject({ status: 'cancelled', reason: 'payment declined', lines: LINES });
    });

    it('answers a shipment never scheduled with nothing cancelled, and refuses to schedule it after', async () => {
      const orderId = randomUUID();
      expect(await answerTo(orderId, await cancel(orderId, 'stock ran out'))).toMatchObject({
        type: 'ShipmentCancelled',
        data: { orderId, reason: 'stock ran out', wasScheduled: false },
      });
      expect(await answerTo(orderId, await schedule(orderId))).toMatchObject({
        type: 'ShipmentRefused',
        data: { reason: `the shipment of order ${orderId} was cancelled (stock ran out): it is not scheduled again` },
      });
    });

    it('refuses to cancel a dispatched shipment with ShipmentCancellationRefused', async () => {
      const orderId = await scheduled();
      expect((await dispatch(orderId)).status).toBe(200);
      const commandId = await cancel(orderId);
      expect(await answerTo(orderId, commandId)).toMatchObject({
        type: 'ShipmentCancellationRefused',
        data: { orderId, reason: `the shipment of order ${orderId} was dispatched at ${NOW}: it can no longer be cancelled` },
        metadata: { commandId },
      });
      expect((await read(orderId)).body).toMatchObject({ status: 'dispatched' });
    });
  });

  it('parks a command it cannot take, and goes on with other orders', async () => {
    const [unknown, bad, misrouted] = [randomUUID(), randomUUID(), randomUUID()];
    await command('ShipParcel', unknown, {});
    await command('ScheduleShipment', bad, { address: ADDRESS, lines: [{ sku: 'TEE-1', quantity: -1 }] });
    await issueCommand(host.standIns.sagas, { target: 'shipping', key: 'not-the-order', type: 'CancelShipment', data: { orderId: misrouted, reason: 'x' } });
    const other = randomUUID();
    expect(await answerTo(other, await schedule(other))).toMatchObject({ type: 'ShipmentScheduled' });

    const parked = await parkedKeys(host, 'shipping-commands', [unknown, bad, 'not-the-order']);
    expect(parked).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ key: unknown, firstError: expect.stringMatching(/not 'ShipParcel'/) }),
        expect.objectContaining({ key: bad, firstError: expect.stringMatching(/quantity/) }),
        expect.objectContaining({ key: 'not-the-order', firstError: expect.stringMatching(/arrived keyed by 'not-the-order'/) }),
      ]),
    );
    for (const orderId of [unknown, bad, misrouted]) expect(await history(orderId)).toEqual([]);
  });

  // ---- POST /v1/shipments/:orderId/dispatch -------------------------------------------------
  describe('dispatch', () => {
    it('dispatches with the lines scheduled: 200, the shipment, its ETag, and the event for inventory and orders', async () => {
      const orderId = await scheduled();
      const response = await dispatch(orderId, { carrier: ' DHL ', trackingNumber: 'JD0001' }, { 'x-correlation-id': 'dispatch-1' });
      expect(response.status).toBe(200);
      expect(response.headers.get('etag')).toBe(`"shipment-${orderId}:1"`);
      expect(response.headers.get('content-location')).toBe(`/v1/shipments/${orderId}`);
      expect(response.body).toEqual({
        orderId,
        status: 'dispatched',
        shipmentId: expect.any(String),
        address: ADDRESS,
        lines: LINES,
        carrier: 'DHL',
        trackingNumber: 'JD0001',
        updatedAt: NOW,
      });
      const [, dispatched] = await eventsOf(host.store, shipmentStream(orderId));
      expect(dispatched).toMatchObject({
        type: 'ShipmentDispatched',
        data: { orderId, shipmentId: (response.body as { shipmentId: string }).shipmentId, lines: LINES, carrier: 'DHL', trackingNumber: 'JD0001', at: NOW },
        metadata: { correlationId: 'dispatch-1', actor: 'warehouse' },
      });
    });

    it('dispatches with no body at all, or a JSON null', async () => {
      const orderId = await scheduled();
      expect(await dispatch(orderId)).toMatchObject({ status: 200, body: { status: 'dispatched', lines: LINES } });
      const other = await scheduled();
      expect(await dispatch(other, null)).toMatchObject({ status: 200, body: { status: 'dispatched' } });
      expect((await read(other)).body).not.toHaveProperty('carrier');
    });

    it('answers a repeat with the same (or no) details as the first, recording nothing; another parcel is 409', async () => {
      const orderId = await scheduled();
      const first = await dispatch(orderId, { carrier: 'DHL', trackingNumber: 'JD0002' });
      const again = await dispatch(orderId, { carrier: 'DHL', trackingNumber: 'JD0002' });
      const bare = await dispatch(orderId);
      expect([again.status, bare.status]).toEqual([200, 200]);
      expect([again.body, bare.body]).toEqual([first.body, first.body]);
      expect(again.headers.get('etag')).toBe(first.headers.get('etag'));

      const other = await dispatch(orderId, { trackingNumber: 'JD0003' });
      expect(other).toMatchObject({
        status: 409,
        body: { detail: `the shipment of order ${orderId} was dispatched already, with carrier DHL and tracking number JD0002` },
      });
      expect(await history(orderId)).toEqual(['ShipmentScheduled', 'ShipmentDispatched']);
    });

    it('uses the Idempotency-Key as the command id: a retry answers as the first did, one event, even past a stale If-Match', async () => {
      const orderId = await scheduled();
      const seen = { 'if-match': `"${shipmentStream(orderId)}:0"` };
      const key = { 'idempotency-key': `dispatch-${orderId}` };
      const first = await dispatch(orderId, { carrier: 'PostNL' }, { ...seen, ...key });
      // The repeat is found before the revision is checked: without the key, the same request is stale.
      const retry = await dispatch(orderId, { carrier: 'PostNL' }, { ...seen, ...key });
      const fresh = await dispatch(orderId, { carrier: 'PostNL' }, { ...seen, 'idempotency-key': `other-${orderId}` });
      expect([first.status, retry.status, fresh.status]).toEqual([200, 200, 412]);
      expect(retry.body).toEqual(first.body);
      expect(retry.headers.get('etag')).toBe(first.headers.get('etag'));
      expect(await history(orderId)).toEqual(['ShipmentScheduled', 'ShipmentDispatched']);
    });

    it('answers 409 for a cancelled or a refused shipment, 404 for an order with none, appending nothing', async () => {
      const cancelledOrder = await scheduled();
      await answerTo(cancelledOrder, await cancel(cancelledOrder));
      const refusedOrder = randomUUID();
      await answerTo(refusedOrder, await schedule(refusedOrder, { address: { ...ADDRESS, country: 'CH' } }));
      const unknownOrder = randomUUID();

      expect(await dispatch(cancelledOrder)).toMatchObject({
        status: 409,
        body: { detail: `the shipment of order ${cancelledOrder} was cancelled: it must not be dispatched` },
      });
      expect(await dispatch(refusedOrder)).toMatchObject({ status: 409, body: { detail: expect.stringMatching(/was refused, never scheduled/) } });
      const unknown = await dispatch(unknownOrder);
      expect(unknown).toMatchObject({ status: 404, body: { detail: `there is no shipment for order ${unknownOrder}` } });
      expect(unknown.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await history(cancelledOrder)).toEqual(['ShipmentScheduled', 'ShipmentCancelled']);
      expect(await history(refusedOrder)).toEqual(['ShipmentRefused']);
      expect(await history(unknownOrder)).toEqual([]);
    });

    it('dispatches only the revision the warehouse saw when it sends If-Match: 412 when stale', async () => {
      const orderId = await scheduled();
      const stream = shipmentStream(orderId);
      expect((await dispatch(orderId, undefined, { 'if-match': `"${stream}:5"` })).status).toBe(412);
      expect((await dispatch(orderId, undefined, { 'if-match': `"${stream}:0"` })).status).toBe(200);
    });

    it('answers bad input with problem+json naming each failing field, appending nothing', async () => {
      const orderId = await scheduled();
      const response = await dispatch(orderId, { carrier: '  ', trackingNumber: 'x'.repeat(101), parcel: 2 });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect((response.body as Problem).errors).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ in: 'body', path: '/carrier' }),
          expect.objectContaining({ in: 'body', path: '/trackingNumber' }),
          expect.objectContaining({ in: 'body', message: expect.stringMatching(/Unrecognized key: "parcel"/) }),
        ]),
      );
      expect((await dispatch(orderId, { carrier: 7 })).body).toMatchObject({ status: 400, errors: [expect.objectContaining({ path: '/carrier' })] });
      expect((await dispatch(orderId, 'DHL')).status).toBe(400);
      expect((await dispatch(orderId, ['DHL'])).status).toBe(400);
      expect((await dispatch(orderId, { carrier: 'a\u0000b' })).body).toMatchObject({ status: 400, errors: [expect.objectContaining({ path: '/carrier' })] });

      const badId = await dispatch('not-an-order');
      expect(badId.status).toBe(400);
      expect((badId.body as Problem).errors).toEqual([expect.objectContaining({ in: 'params', path: '/orderId' })]);
      expect(await history(orderId)).toEqual(['ShipmentScheduled']);
    });

    it('is for the warehouse: 401 without a valid token, 403 below operator', async () => {
      const orderId = await scheduled();
      const path = `/v1/shipments/${orderId}/dispatch`;
      const noToken = await call('POST', path, { headers: {} });
      expect(noToken.status).toBe(401);
      expect(noToken.headers.get('www-authenticate')).toBe('Bearer');
      expect((await call('POST', path, { headers: { authorization: 'Bearer nobody' } })).status).toBe(401);
      expect((await call('POST', path, { headers: as('customer') })).status).toBe(403);
      expect(await call('POST', path, { headers: as('viewer') })).toMatchObject({ status: 403, body: { status: 403 } });
      expect(await history(orderId)).toEqual(['ShipmentScheduled']);
    });
  });

  // ---- GET /v1/shipments/:orderId -----------------------------------------------------------
  describe('read', () => {
    it('answers the shipment with its ETag, and 304 while it is unchanged', async () => {
      const orderId = await scheduled();
      const response = await read(orderId);
      expect(response.status).toBe(200);
      expect(response.headers.get('etag')).toBe(`"shipment-${orderId}:0"`);
      expect(response.body).toEqual({ orderId, status: 'scheduled', shipmentId: expect.any(String), address: ADDRESS, lines: LINES, updatedAt: NOW });
      expect((await read(orderId, { ...as('viewer'), 'if-none-match': `"shipment-${orderId}:0"` })).status).toBe(304);

      await dispatch(orderId);
      const changed = await read(orderId, { ...as('viewer'), 'if-none-match': `"shipment-${orderId}:0"` });
      expect(changed).toMatchObject({ status: 200, body: { status: 'dispatched' } });
      expect(changed.headers.get('etag')).toBe(`"shipment-${orderId}:1"`);
    });

    it('answers 404 for an order shipping never heard of, 400 for what is no order id', async () => {
      const orderId = randomUUID();
      expect(await read(orderId)).toMatchObject({ status: 404, body: { detail: `there is no shipment for order ${orderId}` } });
      expect(await read('42')).toMatchObject({ status: 400, body: { errors: [expect.objectContaining({ in: 'params', path: '/orderId' })] } });
    });

    it('is for viewers and above: 401 without a token, 403 for a customer, 200 for the warehouse', async () => {
      const orderId = await scheduled();
      expect((await read(orderId, {})).status).toBe(401);
      expect((await read(orderId, { authorization: 'Bearer nobody' })).status).toBe(401);
      expect((await read(orderId, as('customer'))).status).toBe(403);
      expect((await read(orderId, as('operator'))).status).toBe(200);
    });
  });
});
