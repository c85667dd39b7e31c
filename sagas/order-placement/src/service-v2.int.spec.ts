import { randomUUID } from 'node:crypto';
import type { CommandIssued } from '@ordo/saga';
import { DECLINED_CARD } from '../test/payments-and-shipping';
import { openShop, SHIP_TO, type Shop } from '../test/shop';
import { NO_CARD_TOKEN, orderPlacementV2 } from './v2';

// Version 2 as the service runs it in embedded mode (PGlite, the embedded bus, the deadline
// scheduler), with stand-ins for orders, inventory, payments and shipping answering its
// commands on their topics, and the saga reading their answers off their event topics.
describe('order placement version 2, mounted on the embedded bus', () => {
  let shop: Shop;
  const lines = [
    { sku: 'SKU-1', quantity: 2 },
    { sku: 'SKU-2', quantity: 1 },
  ];

  beforeAll(async () => {
    shop = await openShop({ definition: orderPlacementV2 });
  });
  afterAll(() => shop?.close());

  /** The commands the instance issued, as `<type>` or `<type> <line>`, in order. */
  const commandsOf = async (orderId: string) => {
    const sent: string[] = [];
    for await (const { type, data } of shop.sagas.readStream(shop.sagaId(orderId)))
      if (type === 'CommandIssued') {
        const issued = data as CommandIssued;
        sent.push(issued.line === undefined ? issued.command.type : `${issued.command.type} ${issued.line}`);
      }
    return sent;
  };

  it('reserves, authorizes, schedules, confirms and captures an order placed with a card, then completes', async () => {
    const orderId = randomUUID();
    await shop.place(orderId, lines, 0, { cardToken: 'tok_visa', shipTo: SHIP_TO });
    await shop.untilStatus(orderId, 'completed');
    expect(await commandsOf(orderId)).toEqual([
      'ReserveStock SKU-1',
      'ReserveStock SKU-2',
      'AuthorizePayment',
      'ScheduleShipment',
      'ConfirmOrder',
      'CapturePayment',
    ]);
    expect(shop.participants.asked('CapturePayment')).toEqual([orderId]);
    expect(shop.participants.asked('VoidPayment')).not.toContain(orderId);
  });

  it('releases the stock and rejects the order, with the decline’s reason, when the payment is declined', async () => {
    const orderId = randomUUID();
    await shop.place(orderId, lines, 0, { cardToken: DECLINED_CARD, shipTo: SHIP_TO });
    await shop.untilStatus(orderId, 'rolled-back');
    expect(await commandsOf(orderId)).toEqual([
      'ReserveStock SKU-1',
      'ReserveStock SKU-2',
      'AuthorizePayment',
      'ReleaseStock SKU-1',
      'ReleaseStock SKU-2',
      'RejectOrder',
    ]);
    const types = await shop.typesOf(orderId);
    expect(types.at(-1)).toBe('SagaRolledBack');
    expect(shop.participants.asked('ScheduleShipment')).not.toContain(orderId);
    expect(shop.participants.asked('CapturePayment')).not.toContain(orderId);
  });

  it('rejects an order placed without a card token, asking payments nothing', async () => {
    const orderId = randomUUID();
    await shop.place(orderId, lines, 0, { shipTo: SHIP_TO });
    await shop.untilStatus(orderId, 'rolled-back');
    expect(await commandsOf(orderId)).toEqual(['ReserveStock SKU-1', 'ReserveStock SKU-2', 'ReleaseStock SKU-1', 'ReleaseStock SKU-2', 'RejectOrder']);
    const rejection = [];
    for await (const { type, data } of shop.sagas.readStream(shop.sagaId(orderId))) if (type === 'SagaRolledBack') rejection.push(data);
    expect(rejection).toEqual([expect.objectContaining({ reason: NO_CARD_TOKEN })]);
    expect(shop.participants.asked('AuthorizePayment')).not.toContain(orderId);
  });
});
