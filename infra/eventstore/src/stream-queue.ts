/**
 * Work for one key (a stream) taken one batch at a time: the first entry goes at once,
 * and those that arrive while a batch runs wait, then go together in the next, up to
 * maxBatch, in arrival order. An entry that must go alone (`alone`) is a batch of its own;
 * entries of one group (`groupOf`), queued in one call, are a batch of their own whatever
 * their number. Keys are independent: streams never wait for each other.
 */
export interface StreamQueueOptions<Entry> {
  maxBatch: number;
  alone(entry: Entry): boolean;
  /** The group an entry belongs to, or undefined; a group's entries go in one batch, with no others. */
  groupOf?(entry: Entry): unknown;
  /** Runs one batch; it answers its entries itself, and must not throw. */
  run(key: string, batch: Entry[]): Promise<void>;
}

export const streamQueue = <Entry>({ maxBatch, alone, groupOf = () => undefined, run }: StreamQueueOptions<Entry>) => {
  // A key is here while a batch of it runs; its list holds the entries that wait.
  const waiting = new Map<string, Entry[]>();

  const nextBatch = (entries: Entry[]): Entry[] => {
    const group = groupOf(entries[0] as Entry);
    let count = 1;
    if (group !== undefined) {
      while (count < entries.length && groupOf(entries[count] as Entry) === group) count++;
      return entries.splice(0, count);
    }
    if (alone(entries[0] as Entry)) return entries.splice(0, 1);
    while (count < entries.length && count < maxBatch && !alone(entries[count] as Entry) && groupOf(entries[count] as Entry) === undefined) count++;
    return entries.splice(0, count);
  };

  const drain = async (key: string, entries: Entry[]) => {
    while (entries.length > 0) await run(key, nextBatch(entries));
    waiting.delete(key);
  };

  /** Queues the entries, in their order, behind those of the key that wait. */
  return (key: string, ...entries: Entry[]): void => {
    const queued = waiting.get(key);
    if (queued) {
      queued.push(...entries);
      return;
    }
    const started = [...entries];
    waiting.set(key, started);
    void drain(key, started);
  };
};
