import { currentWorkContext, runInWorkContext } from './context';

describe('work context', () => {
  it('is absent outside any unit of work', () => {
    expect(currentWorkContext()).toBeUndefined();
  });

  it('is what the work was started with, across awaits, and gone afterwards', async () => {
    const seen = await runInWorkContext({ correlationId: 'corr-1', actor: 'customer-7' }, async () => {
      await new Promise((resolve) => setImmediate(resolve));
      return currentWorkContext();
    });
    expect(seen).toEqual({ correlationId: 'corr-1', actor: 'customer-7' });
    expect(currentWorkContext()).toBeUndefined();
  });

  it('returns what the work returns', () => {
    expect(runInWorkContext({ correlationId: 'corr-1' }, () => 42)).toBe(42);
  });

  it('keeps concurrent units of work apart', async () => {
    const work = (correlationId: string, turns: number) =>
      runInWorkContext({ correlationId }, async () => {
        for (let turn = 0; turn < turns; turn++) await new Promise((resolve) => setImmediate(resolve));
        return currentWorkContext()?.correlationId;
      });
    expect(await Promise.all([work('corr-a', 3), work('corr-b', 1), work('corr-c', 2)])).toEqual(['corr-a', 'corr-b', 'corr-c']);
  });

  it('lets nested work carry its own context, restoring the outer one after', () => {
    const seen = runInWorkContext({ correlationId: 'outer' }, () => {
      const inner = runInWorkContext({ correlationId: 'inner' }, () => currentWorkContext()?.correlationId);
      return [inner, currentWorkContext()?.correlationId];
    });
    expect(seen).toEqual(['inner', 'outer']);
  });
});
