import { catalogEventSchemas, productStream, type CatalogEvent } from '@ordo/catalog-contract';
import { eventIdFor, type RecordedEvent } from '@ordo/eventstore';
import { answersTo, deliverAgain, eventsOf, issueCommand, recordEvent, startTestHost, type TestHost, parkedKeys } from '@ordo/host/testing';
import { stockStream, type InventoryCommandMessage } from '@ordo/inventory-contract';
import { shipmentStream, shippingEventSchemas, type ShipmentLine } from '@ordo/shipping-contract';
import { eventually } from '@ordo/testing';
import { inventoryHandlers } from './application/handlers';
import { sqlCatalogSkus } from './catalog-skus';
import { commitCommandIdFor } from './dispatch-feed';
import { inventoryService } from './service';

// Inventory as the host mounts it in embedded mode: its own store, the embedded bus,
// a real HTTP port. Commands reach it the way the saga sends them: a CommandIssued
// event in a stand-in 'sagas' store, routed by the relay's rules to its command topic.
// Products reach its copy of catalog the same way: events of a stand-in 'catalog' store,
// and dispatches its feed of shipping: events of a stand-in 'shipping' store.
const NOW = '2025-03-01T10:00:00.000Z';
const JSON_BODY = { 'content-type': 'application/json' };
// An operator adds stock; it outranks a viewer, so it is shown the reservations too (docs/security.md).
const OPERATOR_TOKEN = 'inventory-spec-operator';
const AS_OPERATOR = { authorization: `Bearer ${OPERATOR_TOKEN}` };

describe('inventory, mounted on HTTP and the embedded bus', () => {
  let host: TestHost<'catalog' | 'sagas' | 'shipping'>;

  beforeAll(async () => {
    host = await startTestHost({
      service: inventoryService,
      standIns: { catalog: { registry: catalogEventSchemas }, sagas: {}, shipping: { registry: shippingEventSchemas } },
      clock: () => new Date(NOW),
      authTokens: new Map([[OPERATOR_TOKEN, { subject: 'ops', roles: ['operator'] }]]),
    });
  });

  afterAll(() => host?.close());

  // ---- helpers ------------------------------------------------------------------------
  const addStock = (sku: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${host.url}/v1/stock/${sku}/additions`, { method: 'POST', headers: { ...JSON_BODY, ...AS_OPERATOR, ...headers }, body: JSON.stringify(body) });

  /** A well-formed command, typed by the contract as the saga types what it sends, keyed by its sku. */
  const send = ({ type, commandId, data }: Omit<InventoryCommandMessage, 'metadata'>) =>
    issueCommand(host.standIns.sagas, { target: 'inventory', key: data.sku, type, commandId, data });
  const reserve = (commandId: string, sku: string, orderId: string, quantity: number) =>
    send({ type: 'ReserveStock', commandId, data: { sku, orderId, quantity } });
  const release = (commandId: string, sku: string, orderId: string) => send({ type: 'ReleaseStock', commandId, data: { sku, orderId } });

  const answersOf = (sku: string, commandId: string) => eventsOf(host.store, stockStream(sku), { commandId });
  const answerTo = async (sku: string, commandId: string) => (await answersTo(host.store, stockStream(sku), commandId))[0] as RecordedEvent;

  /** Appends a product's event to the stand-in catalog, as catalog records it; the bus delivers it to inventory's copy. */
  const catalogEvent = (sku: string, type: CatalogEvent['type'], data: object) =>
    recordEvent(host.standIns.catalog, {
      stream: productStream(sku),
      type,
      data: { sku, ...data, at: NOW },
      commandId: `${type}-${sku}-${JSON.stringify(data)}`,
    });
  // Inventory serves no reads (the inventory view does): a spec reads the stock as the handlers load it.
  const readStock = (sku: string) => inventoryHandlers({ store: host.store, catalog: sqlCatalogSkus(host.sql, host.schema) }).readStock(sku);
  /** Whether inventory's copy of catalog knows the sku. */
  const knows = (sku: string) => sqlCatalogSkus(host.sql, host.schema).knows(sku);
  /** Waits until inventory's copy of catalog knows the sku. */
  const learnt = (sku: string) => eventually(() => knows(sku), `inventory to learn of ${sku}`);
  const addProduct = async (sku: string) => {
    await catalogEvent(sku, 'ProductAdded', { name: `Product ${sku}`, priceCents: 100 });
    await learnt(sku);
  };

  /** Records a ShipmentDispatched in the stand-in shipping, as shipping does when the warehouse dispatches; resolves to its event id. */
  const dispatchShipment = (orderId: string, lines: ShipmentLine[], commandId = `dispatch-${orderId}`) =>
    recordEvent(host.standIns.shipping, {
      stream: shipmentStream(orderId),
      type: 'ShipmentDispatched',
      data: { orderId, shipmentId: `shipment-of-${orderId}`, lines, at: NOW },
      commandId,
    });
  /** Waits for the commit of a sku's line of a dispatch. */
  const commitOf = async (sku: string, eventId: string) =>
    (await answersTo(host.store, stockStream(sku), commitCommandIdFor(eventId, sku)))[0] as RecordedEvent;
  /** The stock as the inventory view shows it to a viewer. */
  const stockOf = async (sku: string) => {
    const { state } = await readStock(sku);
    const { added, available, reserved, dispatched, reservations } = state;
    return { sku, added, available, reserved, dispatched, reservations: [...reservations].map(([orderId, quantity]) => ({ orderId, quantity })) };
  };

  beforeAll(async () => {
    for (const sku of ['SKU-1', 'SKU-2', 'SKU-3']) await addProduct(sku);
  });

  // ---- the copy of catalog --------------------------------------------------------------
  it('refuses stock for a sku catalog has no product for: 404, saying so', async () => {
    const response = await addStock('SKU-404', { quantity: 5 });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await response.json()).toMatchObject({ status: 404, detail: expect.stringMatching(/^catalog has no product SKU-404 \(yet\)/) });

    await expect(readStock('SKU-404')).rejects.toThrow(/^catalog has no product SKU-404 \(yet\)/);
    for await (const event of host.store.readStream(stockStream('SKU-404'))) throw new Error(`nothing should be appended for SKU-404, not ${event.type}`);
  });

  it('learns a product from catalog: zero stock until some is added, then the addition is accepted', async () => {
    expect(await knows('SKU-NEW')).toBe(false);
    await catalogEvent('SKU-NEW', 'ProductAdded', { name: 'New', priceCents: 700 });
    await learnt('SKU-NEW');

    expect(await stockOf('SKU-NEW')).toEqual({ sku: 'SKU-NEW', added: 0, available: 0, reserved: 0, dispatched: 0, reservations: [] });
    expect((await readStock('SKU-NEW')).revision).toBe(-1n);

    const added = await addStock('SKU-NEW', { quantity: 2 });
    expect(added.status).toBe(200);
    expect(await added.json()).toMatchObject({ sku: 'SKU-NEW', added: 2, available: 2 });
  });

  it("records each product once, at its stream's revision; later events of it change nothing", async () => {
    const ids = [
      await catalogEvent('SKU-PRICED', 'ProductAdded', { name: 'Priced', priceCents: 100 }),
      await catalogEvent('SKU-PRICED', 'PriceChanged', { priceCents: 200, previousPriceCents: 100 }),
      await catalogEvent('SKU-AFTER', 'ProductAdded', { name: 'After', priceCents: 100 }),
    ];
    // The feed keeps catalog's order: once the later product is known, both events before it were handled.
    await learnt('SKU-AFTER');
    const known = await host.sql.query<{ sku: string; revision: string }>(
      `select sku, revision::text from ${host.schema}.catalog_skus where sku in ('SKU-PRICED', 'SKU-AFTER') order by sku`,
    );
    expect(known.rows).toEqual([
      { sku: 'SKU-AFTER', revision: '0' },
      { sku: 'SKU-PRICED', revision: '0' },
    ]);
    // Each event went through the inbox, which is what makes a redelivery of it change nothing.
    const inbox = await host.sql.query<{ message_id: string }>(
      `select message_id from ${host.schema}.ordo_inbox where consumer = 'inventory-catalog' and message_id = any($1::text[])`,
      [ids],
    );
    expect(inbox.rows.map((row) => row.message_id).sort()).toEqual([...ids].sort());
  });

  // ---- HTTP -----------------------------------------------------------------------------
  it('adds stock over HTTP and answers with the stock and its revision', async () => {
    const response = await addStock('SKU-1', { quantity: 5 });
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBe('"stock-SKU-1:0"');
    expect(response.headers.get('content-location')).toBe('/v1/stock/SKU-1');
    expect(await response.json()).toEqual({ sku: 'SKU-1', added: 5, available: 5, reserved: 0, dispatched: 0, reservations: [] });
    expect((await readStock('SKU-1')).revision).toBe(0n);
  });

  it('uses the Idempotency-Key as the command id: a retried addition adds nothing', async () => {
    const first = await addStock('SKU-3', { quantity: 4 }, { 'idempotency-key': 'add-sku-3' });
    const retry = await addStock('SKU-3', { quantity: 4 }, { 'idempotency-key': 'add-sku-3' });
    expect(retry.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(await retry.json()).toMatchObject({ added: 4, available: 4 });
  });

  it('answers bad input with problem+json naming each failing field', async () => {
    const response = await addStock('SKU-1', { quantity: 0, note: 'x' });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = (await response.json()) as { errors: { in: string; path: string; message: string }[] };
    expect(problem.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ in: 'body', path: '/quantity' }),
        expect.objectContaining({ in: 'body', message: expect.stringMatching(/Unrecognized key: "note"/) }),
      ]),
    );

    const badSku = await addStock('not-a-sku', { quantity: 1 });
    expect(badSku.status).toBe(400);
    expect(((await badSku.json()) as { errors: { in: string; path: string }[] }).errors).toEqual([expect.objectContaining({ in: 'params', path: '/sku' })]);
  });

  // ---- commands on the bus --------------------------------------------------------------
  it('reserves on ReserveStock, with the command id and correlation id in the answer', async () => {
    await reserve('reserve-o1', 'SKU-1', 'o1', 3);
    const answer = await answerTo('SKU-1', 'reserve-o1');
    expect(answer).toMatchObject({ type: 'StockReserved', data: { sku: 'SKU-1', orderId: 'o1', quantity: 3, at: NOW } });
    expect(answer.metadata).toMatchObject({ commandId: 'reserve-o1', causationId: 'reserve-o1', correlationId: expect.stringMatching(/^saga-/) });
    expect(answer.id).toBe(eventIdFor('reserve-o1', 0));
  });

  it('answers a repeated command id once', async () => {
    await reserve('reserve-o2', 'SKU-1', 'o2', 1);
    await reserve('reserve-o2', 'SKU-1', 'o2', 1);
    // Commands of one sku are handled in order: once this is answered, so are both before it.
    await reserve('reserve-o3-after', 'SKU-1', 'o3', 1);
    await answerTo('SKU-1', 'reserve-o3-after');
    expect(await answersOf('SKU-1', 'reserve-o2')).toHaveLength(1);
  });

  it('rejects a reservation beyond the stock, naming the sku and the numbers', async () => {
    await reserve('reserve-o4', 'SKU-1', 'o4', 10);
    expect(await answerTo('SKU-1', 'reserve-o4')).toMatchObject({
      type: 'StockReservationRejected',
      data: { sku: 'SKU-1', orderId: 'o4', quantity: 10, available: 0, reason: 'insufficient stock for SKU-1: 0 available, 10 requested' },
    });
  });

  it('releases what an order holds, and answers 0 for an order that holds nothing', async () => {
    await release('release-o1', 'SKU-1', 'o1');
    await release('release-o9', 'SKU-1', 'o9');
    expect(await answerTo('SKU-1', 'release-o1')).toMatchObject({ type: 'StockReleased', data: { orderId: 'o1', quantity: 3 } });
    expect(await answerTo('SKU-1', 'release-o9')).toMatchObject({ type: 'StockReleased', data: { orderId: 'o9', quantity: 0 } });

    const stock = await stockOf('SKU-1');
    expect(stock).toEqual({
      sku: 'SKU-1',
      added: 5,
      available: 3,
      reserved: 2,
      dispatched: 0,
      reservations: [
        { orderId: 'o2', quantity: 1 },
        { orderId: 'o3', quantity: 1 },
      ],
    });
  });

  it('parks a command it cannot take, and goes on with other skus', async () => {
    await issueCommand(host.standIns.sagas, { target: 'inventory', key: 'SKU-BAD', type: 'DispatchStock', commandId: 'dispatch-1', data: { sku: 'SKU-BAD' } });
    await issueCommand(host.standIns.sagas, {
      target: 'inventory',
      key: 'SKU-ODD',
      type: 'ReserveStock',
      commandId: 'reserve-bad-data',
      data: { sku: 'SKU-ODD', orderId: 'o1', quantity: -1 },
    });
    await addStock('SKU-2', { quantity: 1 });
    await reserve('reserve-sku-2', 'SKU-2', 'o5', 1);
    expect(await answerTo('SKU-2', 'reserve-sku-2')).toMatchObject({ type: 'StockReserved' });

    const parked = await parkedKeys(host, 'inventory-commands', ['SKU-BAD', 'SKU-ODD']);
    expect(parked).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ key: 'SKU-BAD', firstError: expect.stringMatching(/not 'DispatchStock'/) }),
        expect.objectContaining({ key: 'SKU-ODD', firstError: expect.stringMatching(/quantity/) }),
      ]),
    );
    expect(await answersOf('SKU-ODD', 'reserve-bad-data')).toEqual([]);
  });

  // ---- shipping's dispatches --------------------------------------------------------------
  describe('dispatches', () => {
    const ORDER_A = '7a1c5e0e-0b6f-4d8e-9f1a-2c3d4e5f6a01';
    const ORDER_B = '7a1c5e0e-0b6f-4d8e-9f1a-2c3d4e5f6a02';
    const ORDER_C = '7a1c5e0e-0b6f-4d8e-9f1a-2c3d4e5f6a03';
    const ORDER_E = '7a1c5e0e-0b6f-4d8e-9f1a-2c3d4e5f6a05';
    const SKUS = ['SKU-D1', 'SKU-D2', 'SKU-D3'];
    /** Every dispatch recorded here, with its skus: what a redelivery must find committed once. */
    const recorded: { eventId: string; skus: string[] }[] = [];
    const dispatch = async (orderId: string, lines: ShipmentLine[]) => {
      const eventId = await dispatchShipment(orderId, lines);
      recorded.push({ eventId, skus: lines.map((line) => line.sku) });
      return eventId;
    };
    const reserved = async (commandId: string, sku: string, orderId: string, quantity: number) => {
      await reserve(commandId, sku, orderId, quantity);
      expect(await answerTo(sku, commandId)).toMatchObject({ type: 'StockReserved' });
    };

    beforeAll(async () => {
      for (const sku of SKUS) {
        await addProduct(sku);
        expect((await addStock(sku, { quantity: 10 })).status).toBe(200);
      }
    });

    it('commits what the order holds of each line: reserved becomes dispatched, and the stock shows it', async () => {
      await reserved('reserve-a-d1', 'SKU-D1', ORDER_A, 3);
      await reserved('reserve-a-d2', 'SKU-D2', ORDER_A, 2);
      await reserved('reserve-b-d1', 'SKU-D1', ORDER_B, 1);

      const eventId = await dispatch(ORDER_A, [
        { sku: 'SKU-D1', quantity: 3 },
        { sku: 'SKU-D2', quantity: 2 },
      ]);

      const d1 = await commitOf('SKU-D1', eventId);
      expect(d1).toMatchObject({ type: 'StockCommitted', data: { sku: 'SKU-D1', orderId: ORDER_A, quantity: 3, at: NOW } });
      // Caused by the dispatch, in its correlation: a trace from the warehouse to the stock.
      expect(d1.metadata).toMatchObject({ commandId: commitCommandIdFor(eventId, 'SKU-D1'), causationId: eventId, correlationId: `dispatch-${ORDER_A}` });
      expect(await commitOf('SKU-D2', eventId)).toMatchObject({ type: 'StockCommitted', data: { sku: 'SKU-D2', orderId: ORDER_A, quantity: 2 } });

      expect(await stockOf('SKU-D1')).toEqual({
        sku: 'SKU-D1',
        added: 10,
        available: 6,
        reserved: 1,
        dispatched: 3,
        reservations: [{ orderId: ORDER_B, quantity: 1 }],
      });
      expect(await stockOf('SKU-D2')).toEqual({ sku: 'SKU-D2', added: 10, available: 8, reserved: 0, dispatched: 2, reservations: [] });
    });

    it('rejects the commit of a line the order holds nothing of (released, never reserved), moving nothing', async () => {
      await reserved('reserve-c-d3', 'SKU-D3', ORDER_C, 4);
      await release('release-c-d3', 'SKU-D3', ORDER_C);
      await answerTo('SKU-D3', 'release-c-d3');
      const before = await stockOf('SKU-D2');

      const eventId = await dispatch(ORDER_C, [
        { sku: 'SKU-D3', quantity: 4 },
        { sku: 'SKU-D2', quantity: 1 },
      ]);

      for (const sku of ['SKU-D3', 'SKU-D2']) {
        expect(await commitOf(sku, eventId)).toMatchObject({
          type: 'StockCommitRejected',
          data: { sku, orderId: ORDER_C, reason: expect.stringMatching(new RegExp(`^order ${ORDER_C} holds no reserved stock of ${sku}`)) },
        });
      }
      expect(await stockOf('SKU-D3')).toMatchObject({ added: 10, available: 10, reserved: 0, dispatched: 0 });
      expect(await stockOf('SKU-D2')).toEqual(before);
    });

    it('commits each line once when a dispatch is handled again after a crash between its lines', async () => {
      await reserved('reserve-e-d2', 'SKU-D2', ORDER_E, 1);
      await reserved('reserve-e-d3', 'SKU-D3', ORDER_E, 2);
      // The attempt that crashed committed the first line, with the id the feed derives, and no more.
      const eventId = eventIdFor(`dispatch-${ORDER_E}`, 0);
      const crashed = inventoryHandlers({ store: host.store, catalog: { knows: async () => true } });
      await crashed.commitStock({ sku: 'SKU-D2', orderId: ORDER_E }, { commandId: commitCommandIdFor(eventId, 'SKU-D2'), correlationId: 'crashed', now: NOW });

      expect(
        await dispatch(ORDER_E, [
          { sku: 'SKU-D2', quantity: 1 },
          { sku: 'SKU-D3', quantity: 2 },
        ]),
      ).toBe(eventId);

      expect(await commitOf('SKU-D3', eventId)).toMatchObject({ type: 'StockCommitted', data: { orderId: ORDER_E, quantity: 2 } });
      const d2 = await eventsOf(host.store, stockStream('SKU-D2'), { commandId: commitCommandIdFor(eventId, 'SKU-D2') });
      expect(d2).toEqual([expect.objectContaining({ type: 'StockCommitted', data: expect.objectContaining({ orderId: ORDER_E, quantity: 1 }) })]);
      expect(await stockOf('SKU-D2')).toMatchObject({ added: 10, available: 7, reserved: 0, dispatched: 3 });
      expect(await stockOf('SKU-D3')).toMatchObject({ added: 10, available: 8, reserved: 0, dispatched: 2 });
    });

    it('commits nothing more when every dispatch is delivered again', async () => {
      const streams = async () => Promise.all(SKUS.map(async (sku) => (await eventsOf(host.store, stockStream(sku))).map((event) => event.id)));
      const before = await streams();
      const stocks = await Promise.all(SKUS.map(stockOf));

      // The service's own feed, started again under a new group: it reads shipping's topic from its start.
      const again = await deliverAgain(host, 'inventory-dispatch');
      try {
        await eventually(() => recorded.every(({ eventId }) => again.handled.has(eventId)), 'every dispatch delivered again');
      } finally {
        await again.stop();
      }

      expect(await streams()).toEqual(before);
      expect(await Promise.all(SKUS.map(stockOf))).toEqual(stocks);
      for (const { eventId, skus } of recorded) {
        for (const sku of skus) expect(await eventsOf(host.store, stockStream(sku), { commandId: commitCommandIdFor(eventId, sku) })).toHaveLength(1);
      }
    });
  });
});
