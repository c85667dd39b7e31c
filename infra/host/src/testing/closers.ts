/** A test host's closers, run in reverse of the order they were pushed, every one even where some fail. */
export const closeInReverse = async (closers: (() => Promise<unknown>)[], what: string): Promise<void> => {
  const failures: unknown[] = [];
  for (const closer of closers.splice(0).reverse()) await closer().catch((error: unknown) => failures.push(error));
  if (failures.length > 0) throw new AggregateError(failures, `${what} did not close cleanly`);
};
