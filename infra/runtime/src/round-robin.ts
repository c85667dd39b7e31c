/** Each call gives the next of `items`, from the first again after the last: replicas taking turns. */
export const roundRobin = <T>(items: readonly T[]): (() => T) => {
  if (items.length === 0) throw new Error('round robin over nothing');
  let next = 0;
  return () => {
    const item = items[next] as T;
    next = (next + 1) % items.length;
    return item;
  };
};
