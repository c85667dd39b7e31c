import type { InstanceSummary } from './api';
import { age, span } from './format';
import { instanceHash, listHash, matchesFilters, parseRoute } from './route';

// The page's pure parts: its places in the hash, which live changes belong in the list shown,
// and how spans read.

const instance = (overrides: Partial<InstanceSummary> = {}): InstanceSummary => ({
  sagaId: 'orderPlacement-6f1c2b1e-8a7b-4c41-9f55-3f0d1c2a9e10',
  saga: 'orderPlacement',
  version: 3,
  key: '6f1c2b1e-8a7b-4c41-9f55-3f0d1c2a9e10',
  state: 'stuck',
  currentStep: 'authorizePayment',
  stepCount: 6,
  correlationId: null,
  startedAt: '2026-12-01T10:00:00.000Z',
  updatedAt: '2026-12-01T10:00:05.000Z',
  endedAt: null,
  nextWakeAt: '2026-12-01T10:00:20.000Z',
  reason: null,
  timeouts: 0,
  retries: 0,
  ...overrides,
});

describe("the dashboard page's routes", () => {
  it('reads the list with its filters, an instance and the dead letters from the hash, and writes them back', () => {
    const filters = { state: 'stuck', saga: 'orderPlacement', version: 3, changedFrom: '2026-12-01T10:00:00.000Z', key: '6f1c' } as const;
    expect(parseRoute(listHash(filters))).toEqual({ name: 'list', filters });
    expect(parseRoute('')).toEqual({ name: 'list', filters: {} });
    expect(parseRoute('#/?state=sleeping&version=x&key=%20')).toEqual({ name: 'list', filters: {} });
    expect(listHash({})).toBe('#/');
    const sagaId = 'orderPlacement-a/b c';
    expect(parseRoute(instanceHash(sagaId))).toEqual({ name: 'instance', sagaId });
    expect(parseRoute('#/dead-letters')).toEqual({ name: 'dead-letters' });
  });

  it('takes a changed instance into the list only where the API would list it', () => {
    expect(matchesFilters(instance(), {})).toBe(true);
    expect(matchesFilters(instance(), { state: 'stuck', saga: 'orderPlacement', version: 3, key: '6f1c' })).toBe(true);
    expect(matchesFilters(instance(), { state: 'running' })).toBe(false);
    expect(matchesFilters(instance(), { saga: 'orderCancellation' })).toBe(false);
    expect(matchesFilters(instance(), { version: 2 })).toBe(false);
    expect(matchesFilters(instance(), { key: '1f6c' })).toBe(false);
    // Changed at or after `changedFrom`, before `changedTo`.
    expect(matchesFilters(instance(), { changedFrom: '2026-12-01T10:00:05.000Z', changedTo: '2026-12-01T10:00:05.001Z' })).toBe(true);
    expect(matchesFilters(instance(), { changedFrom: '2026-12-01T10:00:05.001Z' })).toBe(false);
    expect(matchesFilters(instance(), { changedTo: '2026-12-01T10:00:05.000Z' })).toBe(false);
  });

  it('says how long things took in the unit that reads best', () => {
    expect([850, 1_500, 42_000, 185_000, 7_500_000, 190_000_000].map(span)).toEqual(['850 ms', '1.5 s', '42 s', '3 min 5 s', '2 h 5 min', '2 d 4 h']);
    expect(age('2026-12-01T10:00:00.000Z', Date.parse('2026-12-01T10:00:30.000Z'))).toBe('30 s');
    expect(age(null, 0)).toBe('');
  });
});
