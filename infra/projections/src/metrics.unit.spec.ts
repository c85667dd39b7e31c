import { Registry } from 'prom-client';
import { registerProjectionLag } from './metrics';

describe('the projection lag gauges', () => {
  it('serve each projection’s events and seconds behind, from one status read a scrape', async () => {
    const registry = new Registry();
    let reads = 0;
    registerProjectionLag(registry, async () => {
      reads += 1;
      return [
        { name: 'parcels-view', version: 2, state: 'live', eventsBehind: 12, secondsBehind: 3.5 },
        { name: 'scans-view', version: 1, state: 'rebuilding', eventsBehind: 40, secondsBehind: null },
      ];
    });
    const text = await registry.metrics();
    expect(text).toContain('ordo_projection_lag_events{projection="parcels-view"} 12');
    expect(text).toContain('ordo_projection_lag_events{projection="scans-view"} 40');
    expect(text).toContain('ordo_projection_lag_seconds{projection="parcels-view"} 3.5');
    expect(text).not.toContain('ordo_projection_lag_seconds{projection="scans-view"}');
    expect(reads).toBe(1);
  });

  it('serve every read model registered on one registry, the rest when one cannot be read, and a re-registered one once', async () => {
    const registry = new Registry();
    const errors: unknown[] = [];
    const view = (name: string, eventsBehind: number) => async () => [{ name, version: 1, state: 'live' as const, eventsBehind, secondsBehind: 0 }];
    registerProjectionLag(registry, view('orders-view', 5), { key: 'orders-view' });
    registerProjectionLag(registry, view('inventory-view', 7), { key: 'inventory-view' });
    let text = await registry.metrics();
    expect(text).toContain('ordo_projection_lag_events{projection="orders-view"} 5');
    expect(text).toContain('ordo_projection_lag_events{projection="inventory-view"} 7');

    // Made again (a restart in the same process): the new reader replaces the old.
    registerProjectionLag(registry, view('orders-view', 9), { key: 'orders-view' });
    registerProjectionLag(
      registry,
      async () => {
        throw new Error('database away');
      },
      { key: 'inventory-view', onError: (error) => errors.push(error) },
    );
    await new Promise((resolve) => setTimeout(resolve, 150)); // past the scrape's memo
    text = await registry.metrics();
    expect(text).toContain('ordo_projection_lag_events{projection="orders-view"} 9');
    expect(text).not.toContain('projection="inventory-view"');
    expect(errors).toEqual([new Error('database away')]);
  });
});
