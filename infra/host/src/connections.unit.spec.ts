import { connectionShares, DEFAULT_CONNECTION_SHARES, MIN_DATABASE_CONNECTIONS } from './connections';

describe('connectionShares', () => {
  it("keeps one connection for the store's LISTEN and splits the rest, the odd one to the service's pool", () => {
    expect(connectionShares(7, true)).toEqual({ service: 3, store: 3 });
    expect(connectionShares(8, true)).toEqual({ service: 4, store: 3 });
    expect(connectionShares(MIN_DATABASE_CONNECTIONS, true)).toEqual({ service: 2, store: 1 });
  });

  it('gives a process without a PostgreSQL store the whole budget', () => {
    expect(connectionShares(7, false)).toEqual({ service: 7, store: 0 });
  });

  it('keeps the pools at their defaults without a budget', () => {
    expect(connectionShares(undefined, true)).toEqual(DEFAULT_CONNECTION_SHARES);
    expect(connectionShares(undefined, false)).toEqual({ service: DEFAULT_CONNECTION_SHARES.service, store: 0 });
  });
});
