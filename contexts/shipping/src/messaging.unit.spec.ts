import type { CommandContext } from '@ordo/eventstore';
import { UnknownCommandError, type ConsumedMessage } from '@ordo/messaging';
import { createLogger } from '@ordo/runtime';
import type { ShippingCommandMessage } from '@ordo/shipping-contract';
import type { ShippingHandlers } from './application/handlers';
import { MisroutedCommand, parseShippingCommand, shippingCommandHandler } from './messaging';

const orderId = '7d1f6a3e-2b4c-4d5e-8f90-1a2b3c4d5e6f';
const metadata = { correlationId: 'c-1', causationId: 'saga-1', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };
const address = { line1: 'Keizersgracht 1', city: 'Amsterdam', postalCode: '1015 CJ', country: 'NL' };
const schedule = { type: 'ScheduleShipment', commandId: 'cmd-1', data: { orderId, address, lines: [{ sku: 'TEE-1', quantity: 2 }] }, metadata };
const cancel = { type: 'CancelShipment', commandId: 'cmd-2', data: { orderId, reason: 'payment declined' }, metadata };

describe('the command topic of shipping', () => {
  describe('parseShippingCommand', () => {
    it('parses a ScheduleShipment and a CancelShipment, tolerating unknown fields', () => {
      expect(parseShippingCommand({ ...schedule, extra: true, data: { ...schedule.data, giftWrap: true } })).toMatchObject(schedule);
      expect(parseShippingCommand(cancel)).toMatchObject(cancel);
    });

    it('parses a country it does not serve: that is refused by an answer, not parked', () => {
      expect(parseShippingCommand({ ...schedule, data: { ...schedule.data, address: { ...address, country: 'Narnia' } } })).toMatchObject({
        data: { address: { country: 'Narnia' } },
      });
    });

    it('refuses a command shipping does not take on its topic', () => {
      expect(() => parseShippingCommand({ ...schedule, type: 'DispatchShipment' })).toThrow(UnknownCommandError);
      expect(() => parseShippingCommand({ ...schedule, type: 'DispatchShipment' })).toThrow(/takes ScheduleShipment and CancelShipment/);
    });

    it('refuses bad data, naming the field', () => {
      expect(() => parseShippingCommand({ ...schedule, data: { ...schedule.data, lines: [] } })).toThrow(/lines/);
      for (const quantity of [0, -1, 1.5, '2']) {
        expect(() => parseShippingCommand({ ...schedule, data: { ...schedule.data, lines: [{ sku: 'TEE-1', quantity }] } })).toThrow(/quantity/);
      }
      expect(() => parseShippingCommand({ ...schedule, data: { ...schedule.data, orderId: 'o-1' } })).toThrow(/orderId/);
      expect(() => parseShippingCommand({ ...schedule, data: { ...schedule.data, address: { ...address, city: undefined } } })).toThrow(/city/);
      expect(() => parseShippingCommand({ ...cancel, data: { orderId, reason: '' } })).toThrow(/reason/);
    });
  });

  describe('shippingCommandHandler', () => {
    const calls: [string, unknown, CommandContext][] = [];
    const answered = { events: [], repeated: false };
    // Only what the topic handler calls; the application layer is tested through the service.
    const handlers = {
      scheduleShipment: async (data: unknown, context: CommandContext) => {
        calls.push(['schedule', data, context]);
        return answered;
      },
      cancelShipment: async (data: unknown, context: CommandContext) => {
        calls.push(['cancel', data, context]);
        return answered;
      },
    } as unknown as ShippingHandlers;
    const handle = shippingCommandHandler(handlers, () => new Date('2025-03-01T10:00:00.000Z'), createLogger({ service: 'shipping', level: 'silent' }));
    const message = (key: string, value: ShippingCommandMessage): ConsumedMessage<ShippingCommandMessage> => ({
      topic: 'ordo.shipping.commands',
      partition: 0,
      offset: '0',
      key,
      messageId: 'm-1',
      headers: {},
      value,
    });

    beforeEach(() => calls.splice(0));

    it("handles each command with its own id, the sender's correlation and trace, and the clock's time", async () => {
      await handle(message(orderId, parseShippingCommand(schedule)));
      await handle(message(orderId, parseShippingCommand(cancel)));
      const context = { correlationId: 'c-1', traceparent: metadata.traceparent, now: '2025-03-01T10:00:00.000Z' };
      expect(calls).toEqual([
        ['schedule', schedule.data, { commandId: 'cmd-1', causationId: 'cmd-1', ...context }],
        ['cancel', cancel.data, { commandId: 'cmd-2', causationId: 'cmd-2', ...context }],
      ]);
    });

    it('refuses a command keyed by another order, since its order would not be kept', async () => {
      const misrouted = handle(message('other', parseShippingCommand(cancel)));
      await expect(misrouted).rejects.toThrow(MisroutedCommand);
      await expect(misrouted).rejects.toThrow(`CancelShipment for order ${orderId} arrived keyed by 'other'`);
      expect(calls).toEqual([]);
    });
  });
});
