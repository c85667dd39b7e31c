/**
 * One append wakes every subscription on the store, and those that were caught up ask for
 * the same events at once (in embedded mode, each context's command consumer reads a
 * saga's CommandIssued events). Reads with the same key asked in the same turn share one
 * query. A read only joins a query that was not sent yet (it is sent once the reads woken
 * together have asked), so it still sees every event committed before it asked. The
 * events are shared too: a subscriber must not change them.
 */
export const sharedReads = <Result>() => {
  const unsent = new Map<string, Promise<Result>>();
  return (key: string, read: () => Promise<Result>): Promise<Result> => {
    const joined = unsent.get(key);
    if (joined) return joined;
    const shared = new Promise<void>((resolve) => process.nextTick(resolve)).then(() => {
      unsent.delete(key);
      return read();
    });
    unsent.set(key, shared);
    return shared;
  };
};
