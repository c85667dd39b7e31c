import type { InventoryCommandMessage } from '@ordo/inventory-contract';
import type { ConsumedMessage } from '@ordo/messaging';
import { createLogger } from '@ordo/runtime';
import type { CommandContext } from '@ordo/eventstore';
import type { InventoryHandlers } from './application/handlers';
import { UnknownCommandError } from '@ordo/messaging';
import { inventoryCommandHandler, parseInventoryCommand } from './messaging';

const metadata = { correlationId: 'c-1', causationId: 'saga-1', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };
const reserve = { type: 'ReserveStock', commandId: 'cmd-1', data: { sku: 'SKU-1', orderId: 'o1', quantity: 2 }, metadata };

describe('the command topic of inventory', () => {
  describe('parseInventoryCommand', () => {
    it('parses a ReserveStock and a ReleaseStock, tolerating unknown fields', () => {
      expect(parseInventoryCommand({ ...reserve, extra: true })).toMatchObject(reserve);
      const release = { type: 'ReleaseStock', commandId: 'cmd-2', data: { sku: 'SKU-1', orderId: 'o1', note: 'later field' }, metadata };
      expect(parseInventoryCommand(release)).toMatchObject({ type: 'ReleaseStock', data: { sku: 'SKU-1', orderId: 'o1' } });
    });

    it('refuses a command inventory does not take', () => {
      expect(() => parseInventoryCommand({ ...reserve, type: 'AddStock' })).toThrow(UnknownCommandError);
    });

    it('refuses bad data, naming the field', () => {
      expect(() => parseInventoryCommand({ ...reserve, data: { ...reserve.data, quantity: 0 } })).toThrow(/quantity/);
      expect(() => parseInventoryCommand({ ...reserve, data: { ...reserve.data, sku: 'lower-case' } })).toThrow(/sku/);
    });

    it('refuses an envelope without a command id', () => {
      expect(() => parseInventoryCommand({ ...reserve, commandId: undefined })).toThrow(/commandId/);
    });
  });

  describe('inventoryCommandHandler', () => {
    const calls: [string, unknown, CommandContext][] = [];
    const answered = { events: [], repeated: false };
    // Only what the topic handler calls; the application layer has its own tests through the service.
    const handlers = {
      reserveStock: async (data: unknown, context: CommandContext) => {
        calls.push(['reserve', data, context]);
        return answered;
      },
      releaseStock: async (data: unknown, context: CommandContext) => {
        calls.push(['release', data, context]);
        return answered;
      },
    } as unknown as InventoryHandlers;
    const handle = inventoryCommandHandler(handlers, () => new Date('2025-03-01T10:00:00.000Z'), createLogger({ service: 'inventory', level: 'silent' }));
    const message = (key: string, value: InventoryCommandMessage): ConsumedMessage<InventoryCommandMessage> => ({
      topic: 'ordo.inventory.commands',
      partition: 0,
      offset: '0',
      key,
      messageId: 'm-1',
      headers: {},
      value,
    });

    it("handles the command with its own id, the sender's correlation and trace, and the clock's time", async () => {
      await handle(message('SKU-1', parseInventoryCommand(reserve)));
      expect(calls).toEqual([
        [
          'reserve',
          reserve.data,
          { commandId: 'cmd-1', correlationId: 'c-1', causationId: 'cmd-1', traceparent: metadata.traceparent, now: '2025-03-01T10:00:00.000Z' },
        ],
      ]);
    });

    it('refuses a command keyed by another sku, since its order would not be kept', async () => {
      await expect(handle(message('SKU-2', parseInventoryCommand(reserve)))).rejects.toThrow("ReserveStock for SKU-1 arrived keyed by 'SKU-2'");
    });
  });
});
