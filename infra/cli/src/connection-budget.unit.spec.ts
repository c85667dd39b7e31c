import { connectionShare, HEADROOM, MAX_SHARE } from './connection-budget';

describe('connectionShare', () => {
  const server = { max: 100, reserved: 3, inUse: 5 };

  it('divides what the server has free, less the headroom, evenly among the processes', () => {
    // 100 - 3 - 5 - 12 = 80 free: 20 processes (two replicas of each service) get 4 each.
    expect(connectionShare(server, 20)).toBe(4);
    expect(connectionShare(server, 10)).toBe(8);
    expect(20 * connectionShare(server, 20) + server.inUse + server.reserved + HEADROOM).toBeLessThanOrEqual(server.max);
  });

  it('gives no process more than the pools would take without a budget', () => {
    expect(connectionShare({ max: 1000, reserved: 3, inUse: 0 }, 11)).toBe(MAX_SHARE);
  });

  it('refuses, saying what to change, when a share would be too small to run', () => {
    expect(() => connectionShare(server, 40)).toThrow(
      'PostgreSQL allows 100 connections (max_connections), 3 reserved and 5 in use: 40 processes would get 2 each, and each needs at least 4 (12 stay free for operators). Raise max_connections, close other connections, or run fewer replicas.',
    );
    expect(() => connectionShare({ max: 20, reserved: 3, inUse: 10 }, 1)).toThrow('1 processes would get 0 each');
  });
});
