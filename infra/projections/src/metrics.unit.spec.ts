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
});
