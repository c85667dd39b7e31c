import type { CommandContext } from '@ordo/eventstore';
import { UnknownCommandError, type ConsumedMessage } from '@ordo/messaging';
import type { PaymentsCommandMessage } from '@ordo/payments-contract';
import { createLogger } from '@ordo/runtime';
import type { PaymentsHandlers } from './application/handlers';
import { MisroutedCommand, parsePaymentsCommand, paymentsCommandHandler, paymentsConsumers } from './messaging';

const metadata = { correlationId: 'c-1', causationId: 'saga-1', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };
const authorize = { type: 'AuthorizePayment', commandId: 'cmd-1', data: { orderId: 'o-1', amountCents: 2500, cardToken: 'tok_ok' }, metadata };
const NOW = '2025-03-01T10:00:00.000Z';

describe('the command topic of payments', () => {
  describe('parsePaymentsCommand', () => {
    it('parses each command, taking EUR when no currency is named and tolerating unknown fields', () => {
      expect(parsePaymentsCommand({ ...authorize, extra: true })).toMatchObject({ ...authorize, data: { ...authorize.data, currency: 'EUR' } });
      for (const type of ['VoidPayment', 'CapturePayment'])
        expect(parsePaymentsCommand({ type, commandId: 'cmd-2', data: { orderId: 'o-1', later: 1 }, metadata })).toMatchObject({
          type,
          data: { orderId: 'o-1' },
        });
      expect(parsePaymentsCommand({ type: 'RefundPayment', commandId: 'cmd-3', data: { orderId: 'o-1', reason: 'returned' }, metadata })).toMatchObject({
        data: { reason: 'returned' },
      });
    });

    it('refuses a command payments does not take', () => {
      expect(() => parsePaymentsCommand({ ...authorize, type: 'ChargeCard' })).toThrow(UnknownCommandError);
    });

    it('refuses bad data, naming the field', () => {
      // The amount's bounds are checked here only: the decider takes what parsed.
      for (const amountCents of [0, -1, 10.5, Number.MAX_SAFE_INTEGER + 2, '2500'])
        expect(() => parsePaymentsCommand({ ...authorize, data: { ...authorize.data, amountCents } })).toThrow(/amountCents/);
      expect(() => parsePaymentsCommand({ ...authorize, data: { ...authorize.data, currency: 'USD' } })).toThrow(/currency/);
      expect(() => parsePaymentsCommand({ ...authorize, data: { ...authorize.data, orderId: 'o/1' } })).toThrow(/orderId/);
      expect(() => parsePaymentsCommand({ type: 'RefundPayment', commandId: 'c', data: { orderId: 'o-1' }, metadata })).toThrow(/reason/);
    });
  });

  describe('paymentsCommandHandler', () => {
    const calls: [string, unknown, CommandContext][] = [];
    const answered = async (name: string, data: unknown, context: CommandContext) => {
      calls.push([name, data, context]);
      return { events: [], repeated: false };
    };
    // Only what the topic handler calls; the application layer is tested through the service.
    const handlers = {
      authorizePayment: (data: unknown, context: CommandContext) => answered('authorize', data, context),
      voidPayment: (data: unknown, context: CommandContext) => answered('void', data, context),
      capturePayment: (data: unknown, context: CommandContext) => answered('capture', data, context),
      refundPayment: (data: unknown, context: CommandContext) => answered('refund', data, context),
    } as unknown as PaymentsHandlers;
    const handle = paymentsCommandHandler(handlers, () => new Date(NOW), createLogger({ service: 'payments', level: 'silent' }));
    const message = (key: string, value: PaymentsCommandMessage): ConsumedMessage<PaymentsCommandMessage> => ({
      topic: 'ordo.payments.commands',
      partition: 0,
      offset: '0',
      key,
      messageId: 'm-1',
      headers: {},
      value,
    });

    beforeEach(() => void calls.splice(0));

    it("handles the command with its own id, the sender's correlation and trace, and the clock's time", async () => {
      await handle(message('o-1', parsePaymentsCommand(authorize)));
      expect(calls).toEqual([
        [
          'authorize',
          { ...authorize.data, currency: 'EUR' },
          { commandId: 'cmd-1', correlationId: 'c-1', causationId: 'cmd-1', traceparent: metadata.traceparent, now: NOW },
        ],
      ]);
    });

    it('sends each command to its own handler', async () => {
      for (const type of ['VoidPayment', 'CapturePayment'] as const)
        await handle(message('o-1', { type, commandId: type, data: { orderId: 'o-1' }, metadata }));
      await handle(message('o-1', { type: 'RefundPayment', commandId: 'r', data: { orderId: 'o-1', reason: 'x' }, metadata }));
      expect(calls.map(([name]) => name)).toEqual(['void', 'capture', 'refund']);
    });

    it('refuses a command keyed by another order, since its order would not be kept, and parks it at once', async () => {
      const misrouted = handle(message('o-2', parsePaymentsCommand(authorize)));
      await expect(misrouted).rejects.toThrow("AuthorizePayment for order o-1 arrived keyed by 'o-2'");
      await expect(misrouted).rejects.toThrow(MisroutedCommand);
      expect(calls).toEqual([]);
    });
  });

  it('consumes the command topic as the group payments-commands', () => {
    const [commands, ...others] = paymentsConsumers({
      handlers: {} as PaymentsHandlers,
      clock: () => new Date(),
      logger: createLogger({ service: 'p', level: 'silent' }),
    });
    expect(others).toEqual([]);
    expect(commands).toMatchObject({ groupId: 'payments-commands', topics: ['ordo.payments.commands'] });
  });
});
