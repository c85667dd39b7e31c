import { commandTopic, deadLetterTopic, describeProvisioning, eventTopic } from './topics';

const SEVEN_DAYS_MS = 604_800_000;

describe('topic naming', () => {
  it('names an event topic after its context and keeps its records forever', () => {
    expect(eventTopic('orders', 6)).toEqual({ name: 'ordo.orders.events', partitions: 6, retentionMs: -1 });
  });

  it('names a command topic after its context and keeps its records seven days unless told otherwise', () => {
    expect(commandTopic('inventory', 3)).toEqual({ name: 'ordo.inventory.commands', partitions: 3, retentionMs: SEVEN_DAYS_MS });
    expect(commandTopic('inventory', 3, 3_600_000).retentionMs).toBe(3_600_000);
    expect(commandTopic('inventory', 3, -1).retentionMs).toBe(-1);
  });

  it('gives a dead-letter topic one partition and keeps its records forever', () => {
    expect(deadLetterTopic('orders-view')).toEqual({ name: 'ordo.orders-view.dlq', partitions: 1, retentionMs: -1 });
  });

  it('accepts lowercase letters, digits and dashes in a name', () => {
    expect(eventTopic('order-placement-2', 1).name).toBe('ordo.order-placement-2.events');
  });

  it.each(['Orders', 'order_placement', 'orders.view', 'orders view', '', 'commandé'])('refuses the name %j', (name) => {
    const message = `name "${name}": use lowercase letters, digits and '-'`;
    expect(() => eventTopic(name, 3)).toThrow(`invalid context ${message}`);
    expect(() => commandTopic(name, 3)).toThrow(`invalid context ${message}`);
    expect(() => deadLetterTopic(name)).toThrow(`invalid consumer ${message}`);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses %p partitions', (partitions) => {
    expect(() => eventTopic('orders', partitions)).toThrow(`topic ordo.orders.events: partitions must be a positive integer, got ${partitions}`);
  });

  it.each([0, -2, 0.5])('refuses a retention of %p ms', (retentionMs) => {
    expect(() => commandTopic('orders', 3, retentionMs)).toThrow('retentionMs must be a positive integer or -1 (forever)');
  });
});

describe('describeProvisioning', () => {
  it('gives one line per created or mismatched topic and none for a matching one', () => {
    const lines = describeProvisioning({
      created: ['ordo.orders.events'],
      matching: ['ordo.orders.commands'],
      mismatched: [
        {
          topic: 'ordo.inventory.events',
          differences: ['partitions: 3 on the broker, 6 wanted', 'retention.ms: 604800000 on the broker, -1 wanted'],
        },
      ],
    });
    expect(lines).toEqual([
      'created topic ordo.orders.events',
      'topic ordo.inventory.events differs from its spec, left as it is: ' +
        'partitions: 3 on the broker, 6 wanted; retention.ms: 604800000 on the broker, -1 wanted',
    ]);
  });

  it('says nothing when every topic matched', () => {
    expect(describeProvisioning({ created: [], matching: ['ordo.orders.events'], mismatched: [] })).toEqual([]);
  });
});
