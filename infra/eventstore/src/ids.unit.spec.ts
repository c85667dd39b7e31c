import { eventIdFor, isUuid } from './ids';

describe('event ids derived from a command id', () => {
  it('are uuids, the same for the same command and index', () => {
    expect(isUuid(eventIdFor('cmd-1', 0))).toBe(true);
    expect(eventIdFor('cmd-1', 0)).toBe(eventIdFor('cmd-1', 0));
  });

  it('differ between indexes and between commands', () => {
    const ids = new Set([eventIdFor('cmd-1', 0), eventIdFor('cmd-1', 1), eventIdFor('cmd-2', 0), eventIdFor('cmd-10', 0), eventIdFor('cmd-1', 10)]);
    expect(ids.size).toBe(5);
  });

  it('stay what they were: a changed namespace would break every stored retry', () => {
    expect(eventIdFor('order-42/place', 0)).toBe('d525dbd3-7838-5695-8d73-94759d769148');
  });
});
