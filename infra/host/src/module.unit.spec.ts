import type { EventStore } from '@ordo/eventstore';
import type { Bus } from '@ordo/messaging';
import { createModule, defineService, publishService, type ReadModelPorts } from './module';
import { topicsOf } from './topics';

// A service without an event store (a read model): defined, built and provisioned as the
// hosts do it, it gets no store, publishes nothing and has no events topic.

const api = { title: 'spec', version: '1.0.0' };
const routes = () => undefined;
const context = defineService({
  name: 'ledger',
  api,
  store: { streamPrefixes: ['entry-'] },
  takesCommands: true,
  create: ({ store }) => ({ routes: () => void store }),
});
const view = defineService({ name: 'ledger-view', api, takesCommands: false, create: () => ({ routes }) });
const ports = {} as ReadModelPorts;
const store = {} as EventStore;

describe('a service without an event store', () => {
  it('has no events topic and no command topic', () => {
    expect(topicsOf([context, view], 3).map((topic) => topic.name)).toEqual(['ordo.ledger.events', 'ordo.ledger.commands']);
  });

  it('is given no store, while a context is given its own', async () => {
    const given: unknown[] = [];
    const spy = (definition: typeof context | typeof view) => ({
      ...definition,
      create: (received: object) => {
        given.push('store' in received ? (received as { store: unknown }).store : 'none');
        return { routes };
      },
    });
    await createModule(spy(view) as typeof view, ports, store);
    await createModule(spy(context) as typeof context, ports, store);
    expect(given).toEqual(['none', store]);
    expect(() => createModule(context, ports, undefined)).toThrow('service ledger declares a store, and the host opened none');
  });

  it('publishes nothing', async () => {
    const published: string[] = [];
    const bus = { publish: async (name: string) => void published.push(name) } as unknown as Bus;
    await publishService(view, undefined, bus);
    await publishService(context, store, bus);
    expect(published).toEqual(['ledger']);
  });

  it('may not take commands: it has no store to record their events', () => {
    expect(() => defineService({ name: 'odd-view', api, takesCommands: true, create: () => ({ routes }) })).toThrow(
      'service odd-view takes commands but has no store to record their events',
    );
  });
});
